/** Models: the imported base models, import by path, and the inspection of one (bytes per sub-layer). */
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { navigate } from '../hooks/useHashRoute.ts';
import { Button, Card, EmptyState, ErrorBox, Link, PageHeader, Spinner, TextField } from '../components/ui.tsx';
import { ModelInspector } from '../components/ModelInspector.tsx';
import { HubDownloadPanel } from '../components/HubDownloadPanel.tsx';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { PathPicker } from '../components/PathPicker.tsx';
import { formatBytes } from '../lib/format.ts';

function ImportModelForm({ onImported }: { onImported: (id: number) => void }) {
  const api = useApi();
  const [path, setPath] = useState('');
  const [tokenizer, setTokenizer] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const model = await action.run(() =>
      api.call('models.import', { path: path.trim(), ...(tokenizer.trim() ? { tokenizer: tokenizer.trim() } : {}), ...(name.trim() ? { name: name.trim() } : {}) }),
    );
    if (model) {
      setPath('');
      setTokenizer('');
      setName('');
      onImported(model.id);
    }
  };
  return (
    <Card title="Import a model">
      <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Import a model">
        <PathPicker kind="folder" label="Model folder or file" required value={path} onValue={setPath} placeholder="/models/SmolLM2-135M or /models/stories260K" hint="A model folder (Hugging Face, or one holding a llama2.c .bin file), or the .bin file itself, on the machine running the app." testId="model-import-path" />
        <PathPicker kind="file" label="Tokenizer file (optional)" value={tokenizer} onValue={setTokenizer} placeholder="/models/tok512.bin" hint="Only needed when it is not in the model's folder." testId="model-import-tokenizer" />
        <TextField label="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} data-testid="model-import-name" />
        <ErrorBox error={action.error} />
        <div>
          <Button type="submit" variant="primary" busy={action.busy} disabled={!path.trim()} data-testid="model-import-submit">
            Import model
          </Button>
        </div>
      </form>
    </Card>
  );
}

/** The Models page; `selectedId` comes from `#/models/<id>`. */
export function ModelsPage({ selectedId }: { selectedId?: number }) {
  const api = useApi();
  const models = useCall('models.list', {});
  const list = models.data ?? [];
  return (
    <>
      <PageHeader title="Models" description="Base models to specialize and trim: import a folder or a .bin, or download one from the Hub. Inspect one to see how its bytes split between attention and MLP sub-layers." />
      <div className="grid gap-5 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <div className="flex flex-col gap-5">
          <Card title="Imported models" testId="models-list">
            <ErrorBox error={models.error} onRetry={models.reload} />
            {models.loading && !models.data && <Spinner label="Loading models…" />}
            {models.data && list.length === 0 && (
              <EmptyState title="No models yet" testId="models-empty">
                Import one with the form below (e.g. the stories260K <code>.bin</code>), or download stories260K from the Hub for a first quick look.
              </EmptyState>
            )}
            {list.length > 0 && (
              <ul className="divide-y divide-slate-100">
                {list.map((m) => (
                  <li key={m.id} data-testid={`model-row-${m.id}`}>
                    <a href={`#/models/${m.id}`} aria-current={m.id === selectedId ? 'true' : undefined} className={`flex items-center justify-between gap-3 rounded px-2 py-2 hover:bg-slate-50 ${m.id === selectedId ? 'bg-blue-50' : ''}`}>
                      <span className="min-w-0">
                        <span className="block truncate font-medium text-slate-900">{m.name}</span>
                        <span className="block truncate text-xs text-slate-600" title={m.source}>
                          {m.architecture ?? m.format} · {m.nLayers} blocks ({2 * m.nLayers} sub-layers)
                        </span>
                        <span className="block truncate text-xs text-slate-600" dir="rtl" title={m.source}>
                          <bdi>{m.source}</bdi>
                        </span>
                      </span>
                      <span className="shrink-0 text-sm tabular-nums text-slate-600">{formatBytes(m.paramBytes)}</span>
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <ImportModelForm onImported={(id) => { models.reload(); navigate(`/models/${id}`); }} />
          <HubDownloadPanel onModel={() => models.reload()} />
        </div>
        <div>
          {selectedId ? (
            <div className="flex flex-col gap-2">
              <ModelInspector key={selectedId} modelId={selectedId} name={list.find((m) => m.id === selectedId)?.name} />
              <div className="flex justify-end">
                <ConfirmButton
                  testId="model-delete"
                  label={`Delete model ${list.find((m) => m.id === selectedId)?.name ?? selectedId}`}
                  title="Delete this model from the workspace?"
                  message="Its record and measurements are deleted (the weight files stay on disk). A model that runs were trained from cannot be deleted: delete those runs first."
                  onConfirm={async () => {
                    await api.call('models.delete', { id: selectedId });
                    models.reload();
                    navigate('/models');
                  }}
                >
                  Delete model
                </ConfirmButton>
              </div>
            </div>
          ) : (
            list.length > 0 && (
              <EmptyState title="Select a model to inspect it">
                Or <Link to="/trim">start a trim run</Link>.
              </EmptyState>
            )
          )}
        </div>
      </div>
    </>
  );
}
