/** Datasets: path → preview (detected task, mapping, sample, skipped records) → import; and the imported list. */
import { useReducer, useState, type FormEvent } from 'react';
import type { Response } from '../../../electron/api/contract.ts';
import { useApi } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { Button, Card, EmptyState, ErrorBox, Link, PageHeader, SelectField, Spinner, TextField } from '../components/ui.tsx';
import { DatasetPreviewView } from '../components/DatasetPreviewView.tsx';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { mappingToString } from '../lib/mapping.ts';
import { datasetFormReducer, datasetRequest, initialDatasetForm, type DatasetTask } from '../lib/dataset-form.ts';

const TASKS: { value: DatasetTask; label: string }[] = [
  { value: '', label: 'Detect automatically' },
  { value: 'mcq', label: 'Multiple choice (mcq)' },
  { value: 'yesno', label: 'Yes / no' },
  { value: 'instruction', label: 'Instruction' },
  { value: 'chat', label: 'Chat' },
  { value: 'text', label: 'Raw text' },
];

function DatasetList({ reloadKey }: { reloadKey: number }) {
  const api = useApi();
  const datasets = useCall('datasets.list', {}, reloadKey);
  const list = datasets.data ?? [];
  return (
    <Card title="Imported datasets" testId="datasets-list">
      <ErrorBox error={datasets.error} onRetry={datasets.reload} />
      {datasets.loading && !datasets.data && <Spinner label="Loading datasets…" />}
      {datasets.data && list.length === 0 && <EmptyState title="No datasets yet">Enter a path above, preview it, then import it.</EmptyState>}
      {list.length > 0 && (
        <ul className="divide-y divide-slate-100">
          {list.map((d) => (
            <li key={d.id} data-testid={`dataset-row-${d.id}`} className="flex items-center justify-between gap-3 py-2">
              <span className="min-w-0">
                <span className="block truncate font-medium text-slate-900">{d.name}</span>
                <span className="block truncate text-xs text-slate-500" title={d.source}>
                  {d.taskType} · {Object.entries(d.counts).map(([k, v]) => `${k} ${v}`).join(' · ')}
                </span>
              </span>
              <span className="flex shrink-0 items-center gap-2">
                <Link to={`/trim?dataset=${d.id}`}>Trim with it →</Link>
                <ConfirmButton
                  testId={`dataset-delete-${d.id}`}
                  label={`Delete dataset ${d.name}`}
                  title={`Delete dataset “${d.name}”?`}
                  message="Its records are deleted from the workspace database (the source file stays). A dataset that runs were trained on cannot be deleted: delete those runs first."
                  onConfirm={async () => {
                    await api.call('datasets.delete', { id: d.id });
                    datasets.reload();
                  }}
                >
                  Delete
                </ConfirmButton>
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** The Datasets page. */
export function DatasetsPage() {
  const api = useApi();
  const [form, dispatch] = useReducer(datasetFormReducer<Response<'datasets.preview'>>, undefined, initialDatasetForm<Response<'datasets.preview'>>);
  const { path, task, map, preview, previewedWith } = form;
  const [name, setName] = useState('');
  const [imported, setImported] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const previewAction = useAction();
  const importAction = useAction();
  const request = datasetRequest(path, task, map);
  const signature = JSON.stringify(request);

  const runPreview = async (e: FormEvent) => {
    e.preventDefault();
    setImported(null);
    const res = await previewAction.run(() => api.call('datasets.preview', request));
    // Show what was detected in the editable fields, so the import uses exactly what was previewed.
    if (res) dispatch({ type: 'previewed', path: request.path, preview: res, taskType: res.taskType, mapping: mappingToString(res.mapping) });
  };
  const runImport = async () => {
    const res = await importAction.run(() => api.call('datasets.import', { ...request, ...(name.trim() ? { name: name.trim() } : {}) }));
    if (res) {
      setImported(`Imported "${res.name}" (${res.taskType}, ${Object.entries(res.counts).map(([k, v]) => `${k} ${v}`).join(', ')}).`);
      setReloadKey((k) => k + 1);
    }
  };

  return (
    <>
      <PageHeader title="Datasets" description="Your domain data: JSONL, JSON, CSV/TSV, Parquet or plain text, a file or a folder. Preview first: the task type and field mapping are detected, and records that do not fit are listed." />
      <div className="flex flex-col gap-5">
        <Card title="Preview and import">
          <form onSubmit={runPreview} className="grid gap-3 md:grid-cols-2" aria-label="Preview a dataset">
            <TextField label="Dataset path" className="md:col-span-2" required value={path} onChange={(e) => {
              dispatch({ type: 'path', value: e.target.value });
              previewAction.setError(null);
              importAction.setError(null);
              setImported(null);
            }} placeholder="/data/clinic-qa.jsonl or /data/mmlu/" data-testid="dataset-path" />
            <SelectField label="Task type" value={task} onChange={(e) => dispatch({ type: 'task', value: e.target.value as DatasetTask })} options={TASKS} data-testid="dataset-task" />
            <TextField label="Field mapping (optional)" value={map} onChange={(e) => dispatch({ type: 'map', value: e.target.value })} placeholder="question=goal,choices=sol1|sol2,answer=label" hint="field=source column; several columns joined with |" data-testid="dataset-map" />
            <div className="md:col-span-2">
              <Button type="submit" variant="primary" busy={previewAction.busy} disabled={!path.trim()} data-testid="dataset-preview-submit">
                Preview
              </Button>
            </div>
          </form>
          <ErrorBox error={previewAction.error} />
          {preview && (
            <div className="mt-4 border-t border-slate-100 pt-4">
              {previewedWith !== signature && <p className="mb-2 text-sm text-amber-800">The path, task or mapping changed since this preview: preview again to see the effect.</p>}
              <DatasetPreviewView preview={preview} />
              <div className="mt-4 flex flex-wrap items-end gap-3 border-t border-slate-100 pt-4">
                <TextField label="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} data-testid="dataset-name" />
                <Button variant="primary" busy={importAction.busy} onClick={() => void runImport()} disabled={!path.trim()} data-testid="dataset-import-submit">
                  Import dataset
                </Button>
              </div>
              <ErrorBox error={importAction.error} />
              {imported && (
                <p role="status" className="mt-2 text-sm text-green-800" data-testid="dataset-imported">
                  {imported} Next: <Link to="/trim">start a trim run</Link>.
                </p>
              )}
            </div>
          )}
        </Card>
        <DatasetList reloadKey={reloadKey} />
      </div>
    </>
  );
}
