/**
 * Evaluate: pick models (base models, and the checkpoints of a run) and datasets, then watch the matrix fill in
 * cell by cell (evaluation.cell events). Results already stored for the same model, dataset, split and number of
 * questions are shown at once instead of being computed again. Opened from a run (`#/evaluate?run=ID`), the run's
 * base model, its checkpoints and its own dataset are preselected.
 */
import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../electron/api/contract.ts';
import { useApi, useEvent } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { Button, Card, ErrorBox, Link, NumberField, PageHeader, SelectField, Spinner } from '../components/ui.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { EvalMatrix } from '../components/EvalMatrix.tsx';
import { cellKey, type EvalCell } from '../lib/eval-matrix.ts';

/** Questions per dataset by default (a seeded sample; enough for a standard error of about 5 points). */
const DEFAULT_MAX = 100;

/** A chosen model: `m<modelId>` (a base model) or `c<checkpointId>`. */
type Choice = `m${number}` | `c${number}`;

function toggled<T>(set: Set<T>, v: T): Set<T> {
  const next = new Set(set);
  if (next.has(v)) next.delete(v);
  else next.add(v);
  return next;
}

/** The Evaluate page; `runId` preselects that run's base model, checkpoints and dataset. */
export function EvaluatePage({ runId }: { runId?: number }) {
  const api = useApi();
  const models = useCall('models.list', {});
  const datasets = useCall('datasets.list', {});
  const runs = useCall('runs.list', {});
  const [chosenRun, setChosenRun] = useState<number | undefined>(runId);
  const run = useCall('runs.get', chosenRun ? { id: chosenRun } : null);
  const [picked, setPicked] = useState<Set<Choice>>(new Set());
  const [data, setData] = useState<Set<number>>(new Set());
  const [max, setMax] = useState<number | ''>(DEFAULT_MAX);
  const [jobId, setJobId] = useState<string | null>(null);
  const [cells, setCells] = useState<EvalCell[]>([]);
  const [progress, setProgress] = useState<EventPayload<'job.progress'> | null>(null);
  const [finished, setFinished] = useState<string | null>(null);
  const action = useAction();

  // Preselect the run's base model, its checkpoints and its own dataset once they are known.
  useEffect(() => {
    const r = run.data;
    if (!r) return;
    setPicked(new Set<Choice>([`m${r.run.modelId}`, ...r.checkpoints.map((c) => `c${c.id}` as Choice)]));
    setData(new Set([r.run.datasetId]));
  }, [run.data]);

  useEvent('evaluation.cell', (p) => {
    if (p.jobId !== jobId) return;
    setCells((cs) => cs.map((c) => (cellKey(c) === cellKey(p.cell) ? p.cell : c)));
  });
  useEvent('job.progress', (p) => {
    if (p.jobId === jobId) setProgress(p);
  });
  useEvent('job.finished', (p) => {
    if (p.jobId !== jobId) return;
    setProgress(null);
    setFinished(p.status === 'completed' ? 'Done.' : `The evaluation was ${p.status}${p.error ? `: ${p.error}` : ''}. Finished cells are kept; press Evaluate again to continue.`);
    setJobId(null);
  });

  const start = () => void action.run(async () => {
    setFinished(null);
    const chosen = [...picked].map((p) => (p.startsWith('m') ? { modelId: Number(p.slice(1)) } : { checkpointId: Number(p.slice(1)) }));
    const res = await api.call('evaluations.start', { models: chosen, datasetIds: [...data], ...(max !== '' ? { maxRecords: max } : {}) });
    setCells(res.cells);
    setJobId(res.jobId);
  });
  const cancel = () => void action.run(async () => {
    if (jobId) await api.call('evaluations.cancel', { jobId });
  });

  return (
    <>
      <PageHeader
        title="Evaluate"
        description="See how each model does on each dataset, including data outside its specialty. Each cell is the share of questions answered correctly, ± its standard error, compared with the base model."
        actions={chosenRun ? <Link to={`/runs/${chosenRun}`}>← Run {chosenRun}</Link> : undefined}
      />
      <ErrorBox error={models.error ?? datasets.error ?? run.error ?? action.error} />
      <div className="grid gap-5 xl:grid-cols-2">
        <Card title="Models">
          {models.loading && !models.data && <Spinner label="Loading models…" />}
          <fieldset className="flex flex-col gap-1" data-testid="eval-models">
            <legend className="sr-only">Base models to evaluate</legend>
            {(models.data ?? []).map((m) => (
              <label key={m.id} className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={picked.has(`m${m.id}`)} onChange={() => setPicked((s) => toggled(s, `m${m.id}` as Choice))} />
                Base model {m.name}
              </label>
            ))}
          </fieldset>
          <SelectField
            className="mt-3"
            label="Checkpoints of run"
            value={chosenRun ?? ''}
            onChange={(e) => setChosenRun(e.target.value ? Number(e.target.value) : undefined)}
            options={[{ value: '', label: 'none' }, ...(runs.data ?? []).map((r) => ({ value: String(r.id), label: `Run ${r.id} (${r.status})` }))]}
          />
          <fieldset className="mt-2 flex flex-col gap-1" data-testid="eval-checkpoints">
            <legend className="sr-only">Checkpoints to evaluate</legend>
            {(run.data?.checkpoints ?? []).map((c) => (
              <label key={c.id} className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={picked.has(`c${c.id}`)} onChange={() => setPicked((s) => toggled(s, `c${c.id}` as Choice))} />
                Checkpoint {c.id} ({c.label}, keeps {c.keepMask.filter(Boolean).length} of {c.keepMask.length} sub-layers)
              </label>
            ))}
          </fieldset>
        </Card>
        <Card title="Datasets">
          <fieldset className="flex flex-col gap-1" data-testid="eval-datasets">
            <legend className="sr-only">Datasets to evaluate on</legend>
            {(datasets.data ?? []).map((d) => (
              <label key={d.id} className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={data.has(d.id)} onChange={() => setData((s) => toggled(s, d.id))} />
                {d.name}
                <span className="text-slate-500">
                  ({d.counts.test ?? 0} test records){run.data?.run.datasetId === d.id ? ' · the run’s own data' : ''}
                </span>
              </label>
            ))}
          </fieldset>
          <NumberField className="mt-3" label="Questions per dataset" hint="A random sample, the same every time; leave empty for all." min={1} value={max} onValue={setMax} data-testid="eval-max" />
          <div className="mt-3 flex items-center gap-2">
            <Button variant="primary" onClick={start} busy={action.busy} disabled={picked.size === 0 || data.size === 0 || jobId !== null} data-testid="eval-start">
              Evaluate
            </Button>
            {jobId && (
              <Button onClick={cancel} data-testid="eval-cancel">
                Cancel
              </Button>
            )}
          </div>
        </Card>
        <Card title="Results" className="xl:col-span-2" testId="eval-results">
          {progress && <ProgressBar label={progress.message ?? 'Evaluating…'} done={progress.done} total={progress.total} testId="eval-progress" />}
          {finished && (
            <p className="mb-2 text-sm text-slate-700" data-testid="eval-finished">
              {finished}
            </p>
          )}
          {cells.length > 0 ? <EvalMatrix cells={cells} /> : <p className="text-sm text-slate-600">Choose models and datasets, then press Evaluate.</p>}
        </Card>
      </div>
    </>
  );
}
