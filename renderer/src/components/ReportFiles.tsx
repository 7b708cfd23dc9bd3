/**
 * A completed run's report folder: its path, and each file (report.md, report.json, the three SVG plots) to view
 * in place — the summary rendered, the JSON (for programs) as preformatted text, plots as images (data: URLs, allowed by the CSP's img-src).
 */
import { useState } from 'react';
import type { Request, Response } from '../../../electron/api/contract.ts';
import { useApi } from '../api/context.tsx';
import { useAction } from '../hooks/useCall.ts';
import { Button, EmptyState, ErrorBox } from './ui.tsx';
import { Markdown } from './Markdown.tsx';

/** What each report file is, in words. */
const FILE_LABELS: Record<string, string> = {
  'report.md': 'Summary', 'report.json': 'Data for other programs (JSON)', 'loss.svg': 'Training loss plot',
  'layer-map.svg': 'Layer map plot', 'frontier.svg': 'Score vs size plot',
};

type ReportFile = Request<'runs.report'>['file'];

/** The report of run `runId`: `report` is runs.get's `report`. */
export function ReportFiles({ runId, report }: { runId: number; report: Response<'runs.get'>['report'] }) {
  const api = useApi();
  const action = useAction();
  const [shown, setShown] = useState<Response<'runs.report'> | null>(null);
  if (report.files.length === 0) {
    return (
      <EmptyState title="No report yet" testId="report-empty">
        {report.dir ? <>The report is written to <code className="break-all">{report.dir}</code> when the run completes.</> : 'This run was started without a report folder.'}
      </EmptyState>
    );
  }
  const open = (file: string) => void action.run(async () => setShown(await api.call('runs.report', { id: runId, file: file as ReportFile })));
  return (
    <div data-testid="report-files" className="flex flex-col gap-3">
      <p className="text-sm text-slate-600">
        Written to <code className="break-all text-slate-800">{report.dir}</code>
      </p>
      <div role="group" aria-label="Report files" className="flex flex-wrap gap-2">
        {report.files.map((f) => (
          <Button key={f} onClick={() => open(f)} aria-pressed={shown?.file === f} data-testid={`report-file-${f}`}>
            {FILE_LABELS[f] ?? f}
          </Button>
        ))}
      </div>
      <ErrorBox error={action.error} />
      {shown &&
        (shown.file.endsWith('.svg') ? (
          <img data-testid="report-view" alt={`${shown.file} of run ${runId}`} className="max-w-full rounded border border-slate-200 bg-white" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(shown.content)}`} />
        ) : shown.file.endsWith('.md') ? (
          <Markdown text={shown.content} testId="report-view" />
        ) : (
          <pre data-testid="report-view" className="max-h-96 overflow-auto whitespace-pre-wrap rounded border border-slate-200 bg-slate-50 p-3 text-xs text-slate-800">
            {shown.content}
          </pre>
        ))}
    </div>
  );
}
