/**
 * One run: live progress (phase, epoch, ETA; Cancel/Resume), loss chart, the latest importance scan, the layer
 * map, the frontier of measured checkpoints and the checkpoint table. Live state comes from events
 * (job.progress, run.scan, run.checkpoint, job.finished); the stored state from runs.get, refetched on events,
 * every few seconds while running, and after the event stream reconnects.
 */
import { useState } from 'react';
import type { EventPayload } from '../../../electron/api/contract.ts';
import { useApi, useEvent, useOnReconnect } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { useInterval, useThrottled } from '../hooks/useThrottle.ts';
import { Card, EmptyState, ErrorBox, Link, PageHeader, Spinner, StatusBadge } from '../components/ui.tsx';
import { RunProgress } from '../components/RunProgress.tsx';
import { LossChart } from '../components/LossChart.tsx';
import { ImportanceHeatmap } from '../components/ImportanceHeatmap.tsx';
import { LayerMap } from '../components/LayerMap.tsx';
import { FrontierChart } from '../components/FrontierChart.tsx';
import { CheckpointTable } from '../components/CheckpointTable.tsx';
import { RunConfigSummary } from '../components/RunConfigSummary.tsx';
import { ComparisonTable } from '../components/ComparisonTable.tsx';
import { ReportFiles } from '../components/ReportFiles.tsx';
import { EvalMatrix } from '../components/EvalMatrix.tsx';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { navigate } from '../hooks/useHashRoute.ts';
import { atChance, entryOf, pointLabel, RECOMMENDATION_RULE, recommendedEntry, referenceEntry, runPoints, stopReasonOf, type FrontierEntry } from '../lib/metrics.ts';
import { formatPercent } from '../lib/format.ts';
import { Score } from '../components/Score.tsx';
import { QualityCheck } from '../components/QualityCheck.tsx';
import { formatTime } from '../lib/format.ts';
import { droppedSubLayers } from '../lib/importance.ts';
import { subLayerAt } from '../lib/sublayers.ts';

/** The run page for `#/runs/<runId>`. */
export function RunPage({ runId }: { runId: number }) {
  const api = useApi();
  const run = useCall('runs.get', { id: runId });
  const models = useCall('models.list', {});
  const datasets = useCall('datasets.list', {});
  const evaluations = useCall('evaluations.list', { runId });
  const [progress, setProgress] = useState<EventPayload<'job.progress'> | null>(null);
  const action = useAction();
  const reloadSoon = useThrottled(run.reload, 2000);
  const status = run.data?.run.status ?? 'queued';

  useEvent('job.progress', (p) => {
    if (p.runId !== runId) return;
    setProgress(p);
    if (p.loss !== undefined) reloadSoon();
  });
  useEvent('run.scan', (p) => p.runId === runId && run.reload());
  useEvent('run.checkpoint', (p) => p.runId === runId && run.reload());
  useEvent('job.finished', (p) => {
    if (p.runId !== runId) return;
    setProgress(null);
    run.reload();
  });
  useOnReconnect(run.reload);
  useInterval(run.reload, 5000, status === 'running' || status === 'queued');

  const cancel = () => void action.run(async () => {
    const res = await api.call('runs.cancel', { id: runId });
    run.reload();
    // ok: false = nothing was running (it had just finished or stopped): the reload shows what happened.
    if (!res.ok) action.setError('The run was not running any more; its current status is shown above.');
  });
  const resume = () => void action.run(async () => {
    await api.call('runs.resume', { id: runId });
    setProgress(null);
    run.reload();
  });

  if (!Number.isInteger(runId) || runId <= 0) return <EmptyState title="No such run">Go back to <Link to="/runs">Runs</Link>.</EmptyState>;
  if (!run.data) {
    return (
      <>
        <PageHeader title={`Run ${runId}`} actions={<Link to="/runs">← All runs</Link>} />
        <ErrorBox error={run.error} onRetry={run.reload} />
        {run.loading && <Spinner label="Loading the run…" />}
      </>
    );
  }

  const { checkpoints, events, scans, nLayers, comparison, report } = run.data;
  const info = run.data.run;
  const latestScan = [...scans].sort((a, b) => b.scan - a.scan)[0];
  const entries = runPoints(checkpoints, comparison);
  const base = entries.find((e) => e.kind === 'base') ?? null;
  const measured = new Map<number, FrontierEntry>();
  for (const c of comparison) {
    const e = c.checkpointId !== null ? entryOf({ entry: c.entry }) : null;
    if (e && c.checkpointId !== null) measured.set(c.checkpointId, e);
  }
  const stopReason = stopReasonOf(checkpoints);
  // Recommended only from the final side-by-side measurement (the live one is not comparable).
  const recommended = comparison.length > 0 ? recommendedEntry(entries) : null;
  const recommendedId = recommended ? (comparison.find((c) => entryOf({ entry: c.entry })?.name === recommended.name && c.checkpointId !== null)?.checkpointId ?? null) : null;
  const tuned = entries.filter((e) => e.kind !== 'base' && !e.kind.startsWith('baseline'));
  const allGuessing = tuned.length > 0 && tuned.every(atChance);
  // Baselines stored as checkpoints have their own keep masks; the layer map and drop marks follow TrimLLM only.
  const trimCheckpoints = checkpoints.filter((c) => {
    const e = entryOf(c.metrics);
    return e === null || e.kind === 'trimllm';
  });

  return (
    <>
      <PageHeader
        title={`Run ${runId}`}
        description={
          <>
            <StatusBadge status={info.status} /> · {models.data?.find((m) => m.id === info.modelId)?.name ?? `model ${info.modelId}`} on{' '}
            {datasets.data?.find((d) => d.id === info.datasetId)?.name ?? `dataset ${info.datasetId}`} · backend {info.backend ?? '—'} · started {formatTime(info.createdAt)}
          </>
        }
        actions={
          <>
            <ConfirmButton
              testId="run-delete"
              label={`Delete run ${runId}`}
              disabled={info.status === 'running'}
              title={`Delete run ${runId}?`}
              message="Its checkpoints, training log, scans and measurements are deleted from the workspace database (chats with its checkpoints keep their messages). Reclaim the space with Settings → Reclaim space."
              onConfirm={async () => {
                await api.call('runs.delete', { id: runId });
                navigate('/runs');
              }}
            >
              Delete run
            </ConfirmButton>
            <Link to="/runs">← All runs</Link>
          </>
        }
      />
      <ErrorBox error={run.error ?? action.error} onRetry={run.error ? run.reload : undefined} />
      <div className="grid gap-5 xl:grid-cols-2">
        <Card title={info.status === 'running' || info.status === 'queued' ? 'Progress' : 'Status'} className="xl:col-span-2">
          <RunProgress status={info.status} error={info.error} progress={progress} steps={events} onCancel={cancel} onResume={resume} busy={action.busy} />
          {stopReason && <p className="mt-2 text-sm text-slate-600" data-testid="run-stop-reason">Dropping stopped because {stopReason}.</p>}
          <RunConfigSummary config={info.config} />
        </Card>
        {recommended && (
          <Card title="Which checkpoint to use" className="xl:col-span-2" testId="recommended-card">
            {allGuessing && (
              <p role="note" data-testid="chance-warning" className="mb-2 rounded border border-amber-200 bg-amber-50 px-2 py-1 text-sm text-amber-900">
                Every fine-tuned model scores about what guessing would ({formatPercent(recommended.chance)}): none of them learned this task. Use more or better data, a larger base model, or more training before relying on any checkpoint.
              </p>
            )}
            <p className="text-sm text-slate-800">
              {allGuessing ? 'By the rule below (but see the warning above)' : 'Recommended'}: <strong data-testid="recommended-name">{pointLabel(recommended)}</strong>, keeping {formatPercent(recommended.keptFraction, 0)} of the model — score <Score e={recommended} withMetric />.
            </p>
            <p className="mt-1 text-xs text-slate-600" data-testid="recommended-rule">Rule: {RECOMMENDATION_RULE}.</p>
          </Card>
        )}
        {recommendedId !== null && recommended && datasets.data?.find((d) => d.id === info.datasetId) && (
          <Card title="Quality check" className="xl:col-span-2">
            <QualityCheck modelId={info.modelId} checkpointId={recommendedId} label={pointLabel(recommended)} datasetPath={datasets.data.find((d) => d.id === info.datasetId)!.source} />
          </Card>
        )}
        <Card title="Training loss">
          <LossChart points={events} dropSteps={trimCheckpoints.map((c) => c.step)} />
        </Card>
        <Card title="Score against size kept (colour: speed)">
          <FrontierChart entries={entries} recommended={recommended} />
        </Card>
        <Card title="Layer map">
          <LayerMap nLayers={nLayers} checkpoints={trimCheckpoints} />
        </Card>
        <Card title="Importance scan">
          {latestScan ? (
            <ImportanceHeatmap nLayers={nLayers} scores={latestScan.scores} dropped={droppedSubLayers(trimCheckpoints, subLayerAt)} title={`Scan ${latestScan.scan} (step ${latestScan.step}): calibration performance with each sub-layer dropped. Outlined: the sub-layer the method chose to remove from this scan; hatched: removed.`} />
          ) : (
            <EmptyState title="No importance scan yet">The first calibration scan ranks all sub-layers before fine-tuning starts.</EmptyState>
          )}
        </Card>
        <Card title="Comparison with the base model and baselines" className="xl:col-span-2">
          <ComparisonTable points={entries} reference={base} recommended={recommended} />
        </Card>
        <Card
          title="On other datasets"
          className="xl:col-span-2"
          testId="run-evaluations"
          actions={<Link to={`/evaluate?run=${runId}`} data-testid="run-evaluate-link">Evaluate this run’s checkpoints on other data →</Link>}
        >
          {evaluations.data && evaluations.data.length > 0 ? <EvalMatrix cells={evaluations.data} /> : <p className="text-sm text-slate-600">Not evaluated on other datasets yet.</p>}
        </Card>
        <Card title="Checkpoints" className="xl:col-span-2">
          <CheckpointTable runId={runId} checkpoints={checkpoints} measured={measured} reference={base ?? referenceEntry(entries)} recommendedId={recommendedId} />
        </Card>
        <Card title="Report" className="xl:col-span-2">
          <ReportFiles runId={runId} report={report} />
        </Card>
      </div>
    </>
  );
}
