/**
 * Settings: compute backend (with what system.doctor reports), threads, data directory, hub endpoint; the
 * workspace database's upkeep (reclaim space after deletions, back up).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useApi } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { Button, Card, ErrorBox, NumberField, PageHeader, SelectField, Spinner, TextField } from '../components/ui.tsx';
import { formatBytes } from '../lib/format.ts';

type Backend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
const BACKENDS: { value: Backend; label: string }[] = [
  { value: 'auto', label: 'Automatic (fastest that loads)' },
  { value: 'tensorflow', label: 'TensorFlow (native, tfjs-node / tfjs-node-gpu)' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'Plain JavaScript CPU (slowest)' },
];

function Doctor() {
  const doctor = useCall('system.doctor', {});
  const d = doctor.data;
  return (
    <Card title="What the engine runs on" testId="doctor" actions={<Button onClick={doctor.reload} busy={doctor.loading}>Check again</Button>}>
      <ErrorBox error={doctor.error} onRetry={doctor.reload} />
      {!d && doctor.loading && <Spinner label="Checking the compute backends…" />}
      {d && (
        <div className="flex flex-col gap-3 text-sm">
          <p>
            Backend in use: <strong data-testid="doctor-backend">{d.backend}</strong> · {d.threads} threads · data in <code className="text-xs">{d.dataDir}</code>
          </p>
          {Object.keys(d.skipped).length > 0 && (
            <div>
              <h3 className="font-medium text-slate-700">Why the others were skipped</h3>
              <ul className="list-disc pl-5 text-slate-700">
                {Object.entries(d.skipped).map(([name, why]) => (
                  <li key={name}>
                    <strong>{name}</strong>: {why}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div>
            <h3 className="font-medium text-slate-700">Versions</h3>
            <dl className="grid grid-cols-2 gap-x-4 gap-y-0.5 sm:grid-cols-3">
              {Object.entries(d.versions).map(([k, v]) => (
                <div key={k} className="flex gap-2">
                  <dt className="text-slate-600">{k}</dt>
                  <dd className="font-mono text-xs leading-5">{v}</dd>
                </div>
              ))}
            </dl>
          </div>
        </div>
      )}
    </Card>
  );
}

/** Whether the workspace is encrypted at rest, what that covers, and what it does not (exports). */
function Encryption({ encrypted }: { encrypted: boolean }) {
  return encrypted ? (
    <p className="mb-3 max-w-3xl text-sm text-slate-600" data-testid="database-encryption">
      <strong>Encrypted at rest.</strong> The database, its journal and its backups are encrypted (SQLCipher format); the desktop app keeps the key in
      your system keychain, server mode takes it from <code>TRIMLLM_DB_KEY</code> or <code>--key-file</code>. Without the key the data cannot be
      read, so keep your keychain (or key file) safe. Exported models and reports you save elsewhere are <em>not</em> encrypted.
    </p>
  ) : (
    <p className="mb-3 max-w-3xl text-sm text-amber-800" data-testid="database-encryption">
      <strong>Not encrypted.</strong> Encryption was turned off for this workspace (<code>--no-encryption</code>): anyone who can read this folder can
      read your records, chats and checkpoints. Encrypt it with <code>trimllm encrypt</code> while the app is closed. Exports are never encrypted.
    </p>
  );
}

/** VACUUM (give deleted runs' space back to the disk) and an online backup into <dataDir>/backups. */
function DatabaseUpkeep({ encrypted }: { encrypted: boolean | undefined }) {
  const api = useApi();
  const action = useAction();
  const [result, setResult] = useState<string | null>(null);
  const vacuum = () => void action.run(async () => {
    setResult(null);
    const r = await api.call('store.vacuum', {});
    setResult(`Reclaimed ${formatBytes(Math.max(0, r.bytesBefore - r.bytesAfter))}: the database now takes ${formatBytes(r.bytesAfter)}.`);
  });
  const backup = () => void action.run(async () => {
    setResult(null);
    const r = await api.call('store.backup', {});
    setResult(`Backed up ${formatBytes(r.bytes)} to ${r.path}`);
  });
  return (
    <Card title="Workspace database" testId="database-upkeep">
      {encrypted !== undefined && <Encryption encrypted={encrypted} />}
      <p className="mb-3 max-w-3xl text-sm text-slate-600">
        Deleting runs, datasets or chats frees space inside the database file; <em>Reclaim space</em> rewrites it so the disk gets that space back (it
        takes a moment on a large workspace). A backup is a consistent copy taken while the app keeps running.
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <Button onClick={vacuum} busy={action.busy} data-testid="settings-vacuum">
          Reclaim space (VACUUM)
        </Button>
        <Button onClick={backup} busy={action.busy} data-testid="settings-backup">
          Back up database
        </Button>
      </div>
      {result && (
        <p role="status" data-testid="database-upkeep-result" className="mt-3 break-all text-sm text-green-800">
          {result}
        </p>
      )}
      <ErrorBox error={action.error} />
    </Card>
  );
}

/** The Settings page. */
export function SettingsPage() {
  const api = useApi();
  const settings = useCall('settings.get', {});
  const [backend, setBackend] = useState<Backend>('auto');
  const [threads, setThreads] = useState<number | ''>('');
  const [hub, setHub] = useState('');
  const [saved, setSaved] = useState(false);
  const action = useAction();

  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    setBackend((BACKENDS.some((b) => b.value === s.backend) ? s.backend : 'auto') as Backend);
    setThreads(s.threads);
    setHub(s.hubEndpoint);
  }, [settings.data]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const res = await action.run(() => api.call('settings.set', { backend, ...(threads !== '' ? { threads } : {}), ...(hub.trim() ? { hubEndpoint: hub.trim() } : {}) }));
    if (res?.ok) {
      setSaved(true);
      settings.reload();
    }
  };

  return (
    <>
      <PageHeader title="Settings" description="Where and how the engine computes. Nothing here sends data anywhere; the hub endpoint is used only when you start a model download." />
      <div className="flex flex-col gap-5">
        <Card title="Engine">
          <ErrorBox error={settings.error} onRetry={settings.reload} />
          {settings.loading && !settings.data && <Spinner label="Loading settings…" />}
          {settings.data && (
            <form onSubmit={save} className="grid max-w-3xl gap-3 md:grid-cols-2" aria-label="Engine settings">
              <SelectField label="Backend" value={backend} onChange={(e) => setBackend(e.target.value as Backend)} options={BACKENDS} hint="Applies to jobs started after saving." data-testid="settings-backend" />
              <NumberField label="Threads" value={threads} onValue={setThreads} min={1} max={256} step={1} hint="Training steps and importance scans are split across this many threads, each with its own copy of the model (default: the physical cores). Applies to jobs started after saving." data-testid="settings-threads" />
              <TextField label="Hub endpoint" type="url" value={hub} onChange={(e) => setHub(e.target.value)} placeholder="https://huggingface.co" hint="Like HF_ENDPOINT: a mirror on your network works too." data-testid="settings-hub" className="md:col-span-2" />
              <div className="md:col-span-2">
                <div className="text-sm font-medium text-slate-700">Data directory</div>
                <code className="mt-1 block break-all rounded-md bg-slate-100 px-2.5 py-1.5 text-xs text-slate-800" data-testid="settings-data-dir">{settings.data.dataDir}</code>
                <p className="mt-1 text-xs text-slate-600">
                  Where the workspace database lives. To use another one, restart the app with <code>--data-dir DIR</code> (or set{' '}
                  <code>TRIMLLM_DATA_DIR</code>); it cannot be changed while the app runs.
                </p>
              </div>
              <div className="flex items-center gap-3 md:col-span-2">
                <Button type="submit" variant="primary" busy={action.busy} data-testid="settings-save">
                  Save settings
                </Button>
                {saved && <span role="status" className="text-sm text-green-800">Saved.</span>}
              </div>
              <div className="md:col-span-2">
                <ErrorBox error={action.error} />
              </div>
            </form>
          )}
        </Card>
        <Doctor />
        <DatabaseUpkeep encrypted={settings.data?.encrypted} />
      </div>
    </>
  );
}
