/** Runs: every trim run with its status, model, dataset and start time. */
import { useState } from 'react';
import type { EventPayload } from '../../../electron/api/contract.ts';
import { useCall } from '../hooks/useCall.ts';
import { useEvent } from '../api/context.tsx';
import { useThrottled } from '../hooks/useThrottle.ts';
import { Card, EmptyState, ErrorBox, Link, PageHeader, Spinner, StatusBadge } from '../components/ui.tsx';
import { formatTime } from '../lib/format.ts';

/** The Runs page. */
export function RunsPage() {
  const runs = useCall('runs.list', {});
  const models = useCall('models.list', {});
  const datasets = useCall('datasets.list', {});
  const reloadSoon = useThrottled(runs.reload, 2000);
  const [live, setLive] = useState<Record<number, EventPayload<'job.progress'>>>({});
  useEvent('job.progress', (p) => {
    if (p.runId !== undefined) setLive((l) => ({ ...l, [p.runId as number]: p }));
  });
  useEvent('job.finished', reloadSoon);
  useEvent('run.checkpoint', reloadSoon);
  const modelName = new Map((models.data ?? []).map((m) => [m.id, m.name]));
  const datasetName = new Map((datasets.data ?? []).map((d) => [d.id, d.name]));
  const list = [...(runs.data ?? [])].sort((a, b) => b.createdAt - a.createdAt);
  return (
    <>
      <PageHeader title="Runs" description="Every trim run. Open one to follow it live or to pick a checkpoint from its frontier." actions={<Link to="/trim">New run →</Link>} />
      <Card testId="runs-list">
        <ErrorBox error={runs.error} onRetry={runs.reload} />
        {runs.loading && !runs.data && <Spinner label="Loading runs…" />}
        {runs.data && list.length === 0 && (
          <EmptyState title="No runs yet" testId="runs-empty">
            Start one on the <Link to="/trim">Trim</Link> page.
          </EmptyState>
        )}
        {list.length > 0 && (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Trim runs, newest first</caption>
            <thead className="border-b border-slate-200 text-xs uppercase text-slate-600">
              <tr>
                <th scope="col" className="px-2 py-1.5 font-medium">Run</th>
                <th scope="col" className="px-2 py-1.5 font-medium">Status</th>
                <th scope="col" className="px-2 py-1.5 font-medium">Model</th>
                <th scope="col" className="px-2 py-1.5 font-medium">Dataset</th>
                <th scope="col" className="px-2 py-1.5 font-medium">Backend</th>
                <th scope="col" className="px-2 py-1.5 font-medium">Started</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.map((r) => (
                <tr key={r.id} data-testid={`run-row-${r.id}`} className="hover:bg-slate-50">
                  <td className="px-2 py-1.5">
                    <Link to={`/runs/${r.id}`}>Run {r.id}</Link>
                  </td>
                  <td className="px-2 py-1.5">
                    <StatusBadge status={r.status} />
                    {r.status === 'running' && live[r.id] && (
                      <span className="ml-2 text-xs tabular-nums text-slate-600">
                        {live[r.id].phase} · epoch {live[r.id].epoch} · {live[r.id].total > 0 ? Math.round((100 * live[r.id].done) / live[r.id].total) : 0}%
                      </span>
                    )}
                    {r.error && (
                      <span className="ml-2 inline-block max-w-md truncate align-middle text-xs text-red-700" title={r.error}>
                        {r.error}
                      </span>
                    )}
                  </td>
                  <td className="px-2 py-1.5">{modelName.get(r.modelId) ?? `model ${r.modelId}`}</td>
                  <td className="px-2 py-1.5">{datasetName.get(r.datasetId) ?? `dataset ${r.datasetId}`}</td>
                  <td className="px-2 py-1.5 text-slate-600">{r.backend ?? '—'}</td>
                  <td className="px-2 py-1.5 text-slate-600">{formatTime(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
