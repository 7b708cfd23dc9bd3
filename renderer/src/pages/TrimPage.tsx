/** Trim: pick a model and a dataset, a preset, adjust settings, start the run (then the run page shows it live). */
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Request } from '../../../electron/api/contract.ts';
import { useApi } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { navigate } from '../hooks/useHashRoute.ts';
import { Button, Card, EmptyState, ErrorBox, Link, PageHeader, SelectField, Spinner } from '../components/ui.tsx';
import { TrimSettingsForm } from '../components/TrimSettingsForm.tsx';
import { RunEstimate } from '../components/RunEstimate.tsx';
import { PRESETS, toSettings, type Preset, type TrimForm } from '../lib/presets.ts';

function PresetPicker({ current, onPick }: { current: Preset['id'] | null; onPick: (p: Preset) => void }) {
  // A radio group: one tab stop, arrow keys move between presets.
  const index = PRESETS.findIndex((p) => p.id === current);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const delta = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (delta === 0) return;
    e.preventDefault();
    const next = PRESETS[(Math.max(index, 0) + delta + PRESETS.length) % PRESETS.length];
    onPick(next);
    e.currentTarget.querySelector<HTMLButtonElement>(`[data-testid="trim-preset-${next.id}"]`)?.focus();
  };
  return (
    <div role="radiogroup" aria-label="Preset" className="grid gap-3 md:grid-cols-3" onKeyDown={onKeyDown}>
      {PRESETS.map((p, i) => (
        <button
          key={p.id}
          type="button"
          role="radio"
          aria-checked={current === p.id}
          tabIndex={current === p.id || (index < 0 && i === 0) ? 0 : -1}
          onClick={() => onPick(p)}
          data-testid={`trim-preset-${p.id}`}
          className={`rounded-lg border p-3 text-left ${current === p.id ? 'border-blue-600 bg-blue-50 ring-1 ring-blue-600' : 'border-slate-200 bg-white hover:border-slate-400'}`}
        >
          <span className="block font-medium text-slate-900">{p.label}</span>
          <span className="block text-xs text-slate-600">{p.description}</span>
        </button>
      ))}
    </div>
  );
}

/** The Trim page; the model/dataset may be preselected from `#/trim?model=1&dataset=2`. */
export function TrimPage({ initialModelId, initialDatasetId }: { initialModelId?: number; initialDatasetId?: number }) {
  const api = useApi();
  const models = useCall('models.list', {});
  const datasets = useCall('datasets.list', {});
  const [modelId, setModelId] = useState<number | ''>(initialModelId ?? '');
  const [datasetId, setDatasetId] = useState<number | ''>(initialDatasetId ?? '');
  const [preset, setPreset] = useState<Preset['id'] | null>('balanced');
  const [form, setForm] = useState<TrimForm>(PRESETS[1].values);
  const action = useAction();

  const modelList = models.data ?? [];
  const datasetList = datasets.data ?? [];
  const effectiveModel = modelId === '' ? modelList[0]?.id : modelId;
  const effectiveDataset = datasetId === '' ? datasetList[0]?.id : datasetId;

  // What Start sends; the estimate measures the same request.
  const request: Request<'runs.start'> | null = effectiveModel === undefined || effectiveDataset === undefined
    ? null
    : { modelId: effectiveModel, datasetId: effectiveDataset, settings: toSettings(form) as Request<'runs.start'>['settings'] };

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!request) return;
    const res = await action.run(() => api.call('runs.start', request));
    if (res) navigate(`/runs/${res.runId}`);
  };

  const loading = (models.loading && !models.data) || (datasets.loading && !datasets.data);
  const missing = !loading && (modelList.length === 0 || datasetList.length === 0);

  return (
    <>
      <PageHeader
        title="Trim"
        description="Fine-tune the model on your dataset while progressively dropping its least important sub-layers. Every drop is a checkpoint; pick the size/speed/accuracy point you want afterwards on the run page."
      />
      <ErrorBox error={models.error ?? datasets.error} onRetry={() => { models.reload(); datasets.reload(); }} />
      {loading && <Spinner label="Loading models and datasets…" />}
      {missing && (
        <EmptyState title={modelList.length === 0 ? 'Import a model first' : 'Import a dataset first'} testId="trim-missing">
          A run needs one of each: <Link to="/models">Models</Link> · <Link to="/datasets">Datasets</Link>.
        </EmptyState>
      )}
      {!loading && !missing && (
        <form onSubmit={start} className="flex flex-col gap-5" aria-label="Trim settings">
          <Card title="What to trim">
            <div className="grid gap-3 md:grid-cols-2">
              <SelectField label="Model" value={String(effectiveModel ?? '')} onChange={(e) => setModelId(Number(e.target.value))} options={modelList.map((m) => ({ value: String(m.id), label: `${m.name} (${m.nLayers} blocks)` }))} data-testid="trim-model" />
              <SelectField label="Dataset" value={String(effectiveDataset ?? '')} onChange={(e) => setDatasetId(Number(e.target.value))} options={datasetList.map((d) => ({ value: String(d.id), label: `${d.name} (${d.taskType})` }))} data-testid="trim-dataset" />
            </div>
          </Card>
          <Card title="Preset">
            <PresetPicker current={preset} onPick={(p) => { setPreset(p.id); setForm(p.values); }} />
          </Card>
          <Card title="Settings">
            <TrimSettingsForm value={form} onChange={(v) => { setForm(v); setPreset(null); }} />
          </Card>
          <Card title="How long will it take?">
            <RunEstimate request={request} />
          </Card>
          <ErrorBox error={action.error} />
          <div className="flex items-center gap-3">
            <Button type="submit" variant="primary" busy={action.busy} data-testid="trim-start">
              Start trimming
            </Button>
            <span className="text-sm text-slate-600">The run continues if you leave this page; find it under <Link to="/runs">Runs</Link>.</span>
          </div>
        </form>
      )}
    </>
  );
}
