/** The run's checkpoints: kept sub-layers, performance, parameter bytes, tokens/s, speed-up, "Open in chat", "Export". */
import { Fragment, useState } from 'react';
import type { Response } from '../../../electron/api/contract.ts';
import { useApi } from '../api/context.tsx';
import { useAction } from '../hooks/useCall.ts';
import { navigate } from '../hooks/useHashRoute.ts';
import { checkpointChatTitle } from '../lib/chat-title.ts';
import { entryOf, kindLabel, metricLabel, phaseOf, referenceEntry, speedUp, validationOf, type FrontierEntry } from '../lib/metrics.ts';
import { formatBytes, formatNumber, formatPercent } from '../lib/format.ts';
import { Button, EmptyState, ErrorBox } from './ui.tsx';
import { ExportCheckpoint } from './ExportCheckpoint.tsx';

type Checkpoint = Response<'runs.get'>['checkpoints'][number];

/**
 * The table; `runId` titles new chats. `measured` (checkpoint id → entry re-measured side by side at the end of
 * the run) replaces the entries measured at checkpoint time; `reference` (the base model) is what speed-ups are of.
 */
export function CheckpointTable({ runId, checkpoints, measured, reference }: { runId: number; checkpoints: Checkpoint[]; measured?: ReadonlyMap<number, FrontierEntry>; reference?: FrontierEntry | null }) {
  const api = useApi();
  const action = useAction();
  const [exporting, setExporting] = useState<number | null>(null);
  // The final 'done' marker holds the same weights as the checkpoint before it and no measurement: not listed.
  const rows = [...checkpoints]
    .sort((a, b) => a.step - b.step)
    .map((c) => ({ c, e: measured?.get(c.id) ?? entryOf(c.metrics) }))
    .filter(({ c, e }) => e !== null || phaseOf(c.metrics) !== 'done');
  const ref = reference ?? referenceEntry(rows.flatMap((r) => (r.e ? [r.e] : [])));

  const openInChat = async (c: Checkpoint) => {
    const chat = await action.run(() => api.call('chats.create', { checkpointId: c.id, title: checkpointChatTitle(runId, c) }));
    if (chat) navigate(`/chat/${chat.id}`);
  };

  if (rows.length === 0) return <EmptyState title="No checkpoints yet">A checkpoint is saved after every drop.</EmptyState>;
  return (
    <div className="overflow-x-auto">
      <ErrorBox error={action.error} />
      <table data-testid="checkpoint-table" className="w-full text-left text-sm">
        <caption className="sr-only">Checkpoints of run {runId}</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-medium">Checkpoint</th>
            <th scope="col" className="px-2 py-1.5 font-medium">Epoch</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Kept</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Performance</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Param bytes</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Decode tokens/s</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Speed-up{ref ? ` vs ${ref.kind === 'base' ? 'base' : 'full depth'}` : ''}</th>
            <th scope="col" className="px-2 py-1.5 font-medium"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map(({ c, e }) => {
            const kept = c.keepMask.filter(Boolean).length;
            return (
              <Fragment key={c.id}>
              <tr data-testid={`checkpoint-row-${c.id}`}>
                <td className="px-2 py-1.5 font-medium text-slate-900">
                  {c.label}
                  {e && e.kind !== 'trimllm' && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-normal text-slate-600">{kindLabel(e.kind)}</span>}
                </td>
                <td className="px-2 py-1.5 tabular-nums">{c.epoch}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">
                  {kept}/{c.keepMask.length} <span className="text-slate-500">({formatPercent(kept / c.keepMask.length, 0)})</span>
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">
                  {e ? (
                    <>
                      {formatPercent(e.performance)} <span className="text-xs text-slate-500">{metricLabel(e.metric)}</span>
                      {e.accNorm !== undefined && <span className="block text-xs text-slate-500">{metricLabel('acc_norm')} {formatPercent(e.accNorm)}</span>}
                    </>
                  ) : validationOf(c.metrics) !== null ? (
                    <span title="validation performance; the test-split measurement is not stored for this checkpoint">
                      {formatPercent(validationOf(c.metrics))} <span className="text-xs text-slate-500">val</span>
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatBytes(e?.paramBytes ?? (c.paramBytes > 0 ? c.paramBytes : null))}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatNumber(e?.decodeTokensPerSecond)}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">{e && speedUp(e, ref) !== null ? `${speedUp(e, ref)!.toFixed(2)}×` : '—'}</td>
                <td className="px-2 py-1.5 text-right">
                  <Button onClick={() => void openInChat(c)} disabled={action.busy} data-testid={`open-in-chat-${c.id}`}>
                    Open in chat
                  </Button>{' '}
                  <Button onClick={() => setExporting(exporting === c.id ? null : c.id)} aria-expanded={exporting === c.id} data-testid={`export-${c.id}`}>
                    Export…
                  </Button>
                </td>
              </tr>
              {exporting === c.id && (
                <tr>
                  <td colSpan={8} className="px-2 pb-3">
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
