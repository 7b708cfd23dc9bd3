/** The run's checkpoints: kept sub-layers, score ± error, size, speed measured at the end, speed-up, "Chat", "Export". */
import { Fragment, useState } from 'react';
import type { Response } from '../../../electron/api/contract.ts';
import { useApi } from '../api/context.tsx';
import { useAction } from '../hooks/useCall.ts';
import { navigate } from '../hooks/useHashRoute.ts';
import { checkpointLabel, entryOf, kindLabel, phaseOf, referenceEntry, speedUp, validationOf, type FrontierEntry } from '../lib/metrics.ts';
import { formatBytes, formatPercent } from '../lib/format.ts';
import { Score, ScoreLegend, Speed } from './Score.tsx';
import { Button, EmptyState, ErrorBox } from './ui.tsx';
import { ExportCheckpoint } from './ExportCheckpoint.tsx';

type Checkpoint = Response<'runs.get'>['checkpoints'][number];

/**
 * The table of run `runId`. `measured` (checkpoint id → entry re-measured side by side at the end of
 * the run) replaces the entries measured at checkpoint time; `reference` (the base model) is what speed-ups are of.
 */
export function CheckpointTable({ runId, checkpoints, measured, reference, recommendedId }: {
  runId: number; checkpoints: Checkpoint[]; measured?: ReadonlyMap<number, FrontierEntry>; reference?: FrontierEntry | null; recommendedId?: number | null;
}) {
  const api = useApi();
  const action = useAction();
  const [exporting, setExporting] = useState<number | null>(null);
  // Every checkpoint is listed (the chat picker and /v1 offer them all); the final 'done' one holds the weights of
  // the checkpoint before it.
  const rows = [...checkpoints]
    .sort((a, b) => a.step - b.step)
    .map((c) => ({ c, e: measured?.get(c.id) ?? entryOf(c.metrics) }));
  const ref = reference ?? referenceEntry(rows.flatMap((r) => (r.e ? [r.e] : [])));
  const final = (measured?.size ?? 0) > 0;

  const openInChat = async (c: Checkpoint) => {
    const chat = await action.run(() => api.call('chats.create', { checkpointId: c.id }));
    if (chat) navigate(`/chat/${chat.id}`);
  };

  if (rows.length === 0) return <EmptyState title="No checkpoints yet">A checkpoint is saved after every drop.</EmptyState>;
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Checkpoints table (scrolls sideways)">
      <ErrorBox error={action.error} />
      {!final && <p className="mb-2 text-xs text-slate-600">Speeds are measured side by side for every checkpoint when the run ends, so that they can be compared fairly.</p>}
      <ScoreLegend e={rows.find((r) => r.e)?.e ?? undefined} />
      <table data-testid="checkpoint-table" className="w-full text-left text-sm">
        <caption className="sr-only">Checkpoints of run {runId}</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-medium">Checkpoint</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Kept · size</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Score</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Speed (vs {ref?.kind === 'base' || !ref ? 'base' : 'full depth'})</th>
            <th scope="col" className="px-2 py-1.5 font-medium"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map(({ c, e }) => {
            const kept = c.keepMask.filter(Boolean).length;
            const isFinal = final && measured?.has(c.id);
            const done = phaseOf(c.metrics) === 'done';
            return (
              <Fragment key={c.id}>
              <tr data-testid={`checkpoint-row-${c.id}`} className={c.id === recommendedId ? 'bg-green-50' : undefined}>
                <td className="px-2 py-1.5 font-medium text-slate-900">
                  {checkpointLabel(c.label)}
                  {c.id === recommendedId && <span data-testid="recommended-badge" className="ml-2 rounded bg-green-100 px-1.5 py-0.5 text-xs font-medium text-green-900">recommended</span>}
                  {e && e.kind !== 'trimllm' && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-normal text-slate-600">{kindLabel(e.kind)}</span>}
                  {done && !e && <span className="block text-xs font-normal text-slate-600">same weights as the checkpoint before it</span>}
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">
                  {kept}/{c.keepMask.length}
                  <span className="block text-xs text-slate-600">{formatBytes(e?.paramBytes ?? (c.paramBytes > 0 ? c.paramBytes : null))}</span>
                </td>
                <td className="px-2 py-1.5 text-right">
                  {e ? (
                    <Score e={e} />
                  ) : validationOf(c.metrics) !== null ? (
                    <span title="score on the checking part of the data; the final test is measured when the run ends">
                      {formatPercent(validationOf(c.metrics))} <span className="text-xs text-slate-600">while training</span>
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="px-2 py-1.5 text-right">{e && isFinal ? <Speed e={e} speedUp={speedUp(e, ref)} /> : <span className="text-xs text-slate-600">at the end</span>}</td>
                <td className="px-2 py-1.5 text-right">
                  <Button onClick={() => void openInChat(c)} disabled={action.busy} className="whitespace-nowrap" aria-label={`Open ${checkpointLabel(c.label)} in chat`} data-testid={`open-in-chat-${c.id}`}>
                    Chat
                  </Button>{' '}
                  <Button onClick={() => setExporting(exporting === c.id ? null : c.id)} className="mt-1 whitespace-nowrap" aria-expanded={exporting === c.id} aria-label={`Export ${checkpointLabel(c.label)}`} data-testid={`export-${c.id}`}>
                    Export…
                  </Button>
                </td>
              </tr>
              {exporting === c.id && (
                <tr>
                  <td colSpan={5} className="px-2 pb-3">
                    <ExportCheckpoint checkpointId={c.id} />
                  </td>
                </tr>
              )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
