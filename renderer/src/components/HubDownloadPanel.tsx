/**
 * Download a model from the Hugging Face Hub (the app's only network access, started here): a preset or a repo
 * id with its files, then each download's progress (bytes, speed, ETA) with Cancel, and Resume for one that was
 * cancelled, failed or interrupted by a quit (it continues from the bytes on disk). A finished llama2.c `.bin`
 * or Hugging Face folder is imported as a model. The endpoint is Settings → Hub endpoint.
 */
import { useState, type FormEvent } from 'react';
import type { EventPayload, Response } from '../../../electron/api/contract.ts';
import { useApi, useEvent } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { formatBytes } from '../lib/format.ts';
import { Button, Card, ErrorBox, Link, SelectField, StatusBadge, TextField } from './ui.tsx';
import { ProgressBar } from './ProgressBar.tsx';

/** Hub repos known to work with the engine. */
export const HUB_PRESETS = [
  { id: 'stories260K', label: 'stories260K (karpathy/tinyllamas, 1 MB, llama2.c)', repo: 'karpathy/tinyllamas', files: ['stories260K/stories260K.bin', 'stories260K/tok512.bin'] },
  { id: 'smollm2-135m', label: 'SmolLM2-135M (HuggingFaceTB, 270 MB, safetensors)', repo: 'HuggingFaceTB/SmolLM2-135M', files: ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'] },
] as const;

type Download = Response<'hub.downloads'>[number];

function DownloadRow({ d, live, onChanged }: { d: Download; live: EventPayload<'download.progress'> | undefined; onChanged: () => void }) {
  const api = useApi();
  const action = useAction();
  const bytes = d.files.reduce((a, f) => a + f.bytes, 0);
  const known = d.files.every((f) => f.total !== null);
  const total = d.files.reduce((a, f) => a + (f.total ?? 0), 0);
  // Live bytes of the file in flight replace its stored (throttled) count.
  const liveBytes = live ? bytes - (d.files[live.fileIndex]?.bytes ?? 0) + live.bytes : bytes;
  const liveTotal = live && live.total !== null ? total - (d.files[live.fileIndex]?.total ?? 0) + live.total : total;
  const cancel = () => void action.run(async () => { await api.call('hub.cancel', { id: d.id }); onChanged(); });
  const resume = () => void action.run(async () => { await api.call('hub.resume', { id: d.id }); onChanged(); });
  return (
    <li data-testid={`download-${d.id}`} data-status={d.active ? 'running' : d.status} className="flex flex-col gap-2 py-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="min-w-0">
          <span className="block truncate font-medium text-slate-900">{d.repo}</span>
          <span className="block truncate text-xs text-slate-600" title={d.files.map((f) => f.file).join(', ')}>
            {d.files.length} file{d.files.length > 1 ? 's' : ''} · {d.revision}
          </span>
        </span>
        <span className="flex items-center gap-2">
          <StatusBadge status={d.active ? 'running' : d.status} />
          {d.active && <Button onClick={cancel} busy={action.busy} data-testid={`download-cancel-${d.id}`}>Cancel</Button>}
          {!d.active && d.status !== 'completed' && <Button onClick={resume} busy={action.busy} data-testid={`download-resume-${d.id}`}>Resume</Button>}
          {d.modelId !== null && <Link to={`/models/${d.modelId}`} className="text-sm">Inspect model →</Link>}
        </span>
      </div>
      {(d.active || (d.status !== 'completed' && bytes > 0)) && (
        <ProgressBar
          testId={`download-progress-${d.id}`}
          label={live ? `${live.file.split('/').pop()} (file ${live.fileIndex + 1} of ${live.files})` : 'Downloaded so far'}
          done={liveBytes}
          total={known || live ? Math.max(liveTotal, liveBytes) : liveBytes}
          format={formatBytes}
          extra={live && d.active ? `${formatBytes(live.bytesPerSecond)}/s` : undefined}
          etaSeconds={d.active ? (live?.etaSeconds ?? null) : undefined}
        />
      )}
      <ErrorBox error={d.error ?? action.error} />
    </li>
  );
}

/** The panel; `onModel` is told the id of a model a finished download imported. */
export function HubDownloadPanel({ onModel }: { onModel: (id: number) => void }) {
  const api = useApi();
  const downloads = useCall('hub.downloads', {});
  const [preset, setPreset] = useState<string>(HUB_PRESETS[0].id);
  const [repo, setRepo] = useState<string>(HUB_PRESETS[0].repo);
  const [files, setFiles] = useState<string>(HUB_PRESETS[0].files.join('\n'));
  const [revision, setRevision] = useState('main');
  const [live, setLive] = useState<Record<number, EventPayload<'download.progress'>>>({});
  const action = useAction();
  useEvent('download.progress', (p) => {
    setLive((l) => ({ ...l, [p.downloadId]: p }));
    if (!downloads.data?.some((d) => d.id === p.downloadId && d.active)) downloads.reload();
  });
  useEvent('download.finished', (p) => {
    setLive((l) => Object.fromEntries(Object.entries(l).filter(([k]) => Number(k) !== p.downloadId)));
    downloads.reload();
    if (p.modelId !== null) onModel(p.modelId);
  });
  const choose = (id: string) => {
    setPreset(id);
    const p = HUB_PRESETS.find((x) => x.id === id);
    if (p) {
      setRepo(p.repo);
      setFiles(p.files.join('\n'));
    }
  };
  const fileList = files.split('\n').map((f) => f.trim()).filter(Boolean);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() => api.call('hub.download', { repo: repo.trim(), files: fileList, revision: revision.trim() || 'main' }));
    if (r) downloads.reload();
  };
  const list = downloads.data ?? [];
  return (
    <Card title="Download from the Hugging Face Hub" testId="hub-download">
      <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Download a model from the Hub">
        <SelectField label="Preset" value={preset} onChange={(e) => choose(e.target.value)} options={[...HUB_PRESETS.map((p) => ({ value: p.id, label: p.label })), { value: 'custom', label: 'Other repo…' }]} data-testid="hub-preset" />
        <div className="grid gap-3 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
          <TextField label="Repo id" required value={repo} onChange={(e) => { setRepo(e.target.value); setPreset('custom'); }} placeholder="owner/name" data-testid="hub-repo" />
          <TextField label="Revision" value={revision} onChange={(e) => setRevision(e.target.value)} placeholder="main" data-testid="hub-revision" />
        </div>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Files (one path in the repo per line)
          <textarea required rows={3} value={files} onChange={(e) => { setFiles(e.target.value); setPreset('custom'); }} data-testid="hub-files" className="rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-xs font-normal text-slate-900" />
        </label>
        <ErrorBox error={action.error} />
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" busy={action.busy} disabled={!repo.trim() || fileList.length === 0} data-testid="hub-download-submit">
            Download
          </Button>
          <span className="text-xs text-slate-600">Goes to the workspace’s models folder; stopped downloads resume where they were.</span>
        </div>
      </form>
      <ErrorBox error={downloads.error} onRetry={downloads.reload} />
      {list.length > 0 && (
        <ul aria-label="Downloads" data-testid="downloads-list" className="mt-3 divide-y divide-slate-100 border-t border-slate-100">
          {list.map((d) => (
            <DownloadRow key={d.id} d={d} live={live[d.id]} onChanged={downloads.reload} />
          ))}
        </ul>
      )}
    </Card>
  );
}
