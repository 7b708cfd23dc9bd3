/** Datasets: path → preview (detected task, mapping, sample, skipped records) → import; and the imported list. */
import { useReducer, useState, type FormEvent } from 'react';
import type { Response } from '../../../electron/api/contract.ts';
import { useApi } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { PathPicker } from '../components/PathPicker.tsx';
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

const TASK_WORDS: Record<string, string> = { mcq: 'multiple choice', yesno: 'yes / no', instruction: 'instructions', chat: 'chat', text: 'plain text' };
const SPLIT_WORDS: Record<string, string> = { train: 'for training', validation: 'for checking', test: 'for the final test' };

/** A dataset's name, with a Rename button that turns it into a field. */
function DatasetName({ id, name, onRenamed }: { id: number; name: string; onRenamed: () => void }) {
  const api = useApi();
  const [editing, setEditing] = useState<string | null>(null);
  const action = useAction();
  if (editing === null) {
    return (
      <span className="flex items-center gap-2">
        <span className="truncate font-medium text-slate-900">{name}</span>
        <Button variant="ghost" className="!px-1.5 !py-0.5 text-xs" aria-label={`Rename dataset ${name}`} onClick={() => setEditing(name)} data-testid={`dataset-rename-${id}`}>Rename</Button>
      </span>
    );
  }
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() => api.call('datasets.rename', { id, name: editing }));
    if (ok) {
      setEditing(null);
      onRenamed();
    }
  };
  return (
    <form onSubmit={save} className="flex flex-wrap items-end gap-2">
      <TextField label="New name" value={editing} onChange={(e) => setEditing(e.target.value)} data-testid={`dataset-rename-field-${id}`} />
      <Button type="submit" variant="primary" busy={action.busy}>Save</Button>
      <Button variant="ghost" onClick={() => setEditing(null)}>Cancel</Button>
      <ErrorBox error={action.error} />
    </form>
  );
}

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
          {list.map((d) => {
            const runs = d.usedByRuns ?? [];
            return (
              <li key={d.id} data-testid={`dataset-row-${d.id}`} className="flex flex-wrap items-center justify-between gap-3 py-2">
                <span className="min-w-0">
                  <DatasetName id={d.id} name={d.name} onRenamed={datasets.reload} />
                  <span className="block text-xs text-slate-600 [overflow-wrap:anywhere]" title={d.source}>
                    {TASK_WORDS[d.taskType] ?? d.taskType} · {Object.entries(d.counts).map(([k, v]) => `${v} ${SPLIT_WORDS[k] ?? k}`).join(' · ')}
                    {runs.length > 0 && ` · used by ${runs.length === 1 ? 'one run' : `${runs.length} runs`}`}
                  </span>
                </span>
                <span className="flex shrink-0 items-center gap-2">
                  <Link to={`/trim?dataset=${d.id}`}>Trim with it →</Link>
                  <ConfirmButton
                    testId={`dataset-delete-${d.id}`}
                    label={`Delete dataset ${d.name}`}
                    title={`Delete dataset “${d.name}”?`}
                    message={runs.length === 0
                      ? 'Its records are deleted from the workspace (the source file stays).'
                      : `${runs.length === 1 ? 'One run was' : `${runs.length} runs were`} trained on it: deleting the dataset deletes ${runs.length === 1 ? 'that run' : 'those runs'} too, with ${runs.length === 1 ? 'its' : 'their'} checkpoints, reports and chats. The source file stays.`}
                    confirmLabel={runs.length === 0 ? undefined : `Delete dataset and ${runs.length === 1 ? 'its run' : `its ${runs.length} runs`}`}
                    onConfirm={async () => {
                      await api.call('datasets.delete', { id: d.id, ...(runs.length > 0 ? { withRuns: true } : {}) });
                      datasets.reload();
                    }}
                  >
                    Delete
                  </ConfirmButton>
                </span>
              </li>
            );
          })}
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
            <PathPicker kind="file-or-folder" label="Dataset file or folder" className="md:col-span-2" required value={path} onValue={(value) => {
              dispatch({ type: 'path', value });
              previewAction.setError(null);
              importAction.setError(null);
              setImported(null);
            }} placeholder="/data/clinic-qa.jsonl or /data/mmlu/" testId="dataset-path" />
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
