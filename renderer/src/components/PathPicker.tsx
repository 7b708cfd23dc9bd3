/**
 * A path field with a "Browse…" button: in the desktop app the native open dialog (files.choose), in the browser
 * a folder browser served by the core (files.browse), which shows only the user's home and the data folder.
 */
import { useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { useApi } from '../api/context.tsx';
import { useAction, useCall } from '../hooks/useCall.ts';
import { formatBytes } from '../lib/format.ts';
import { Button, ErrorBox, Field, Spinner } from './ui.tsx';

const INPUT = 'min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 placeholder:text-slate-400';

/** What a pick may be: a file, a folder, or either (a dataset is a file or a folder of split files). */
type PickKind = 'file' | 'folder' | 'file-or-folder';

function FolderBrowser({ kind, onPick, onClose }: { kind: PickKind; onPick: (path: string) => void; onClose: () => void }) {
  const [at, setAt] = useState<string | undefined>(undefined);
  const listing = useCall('files.browse', at === undefined ? {} : { path: at });
  const data = listing.data;
  return (
    <div role="dialog" aria-label="Choose a file or folder" data-testid="path-browser" className="mt-2 rounded-md border border-slate-300 bg-slate-50 p-3">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        {data?.roots.map((r) => (
          <Button key={r.path} onClick={() => setAt(r.path)}>{r.label}</Button>
        ))}
        {data?.parent && <Button onClick={() => setAt(data.parent!)}>Up one folder</Button>}
        <Button variant="ghost" onClick={onClose}>Close</Button>
      </div>
      {data?.path && <p className="mb-2 break-all text-xs text-slate-600">In {data.path}</p>}
      <ErrorBox error={listing.error} />
      {listing.loading && !data && <Spinner label="Reading the folder…" />}
      {data?.path && (
        <ul className="max-h-64 overflow-y-auto rounded border border-slate-200 bg-white text-sm">
          {kind !== 'file' && (
            <li className="border-b border-slate-100 px-2 py-1">
              <Button variant="primary" onClick={() => onPick(data.path!)} data-testid="path-browser-use-folder">Use this folder</Button>
            </li>
          )}
          {data.entries.length === 0 && <li className="px-2 py-1 text-slate-600">This folder is empty.</li>}
          {data.entries.map((e) => (
            <li key={e.path} className="flex items-center justify-between gap-2 border-b border-slate-100 px-2 py-1 last:border-0">
              {e.kind === 'folder' ? (
                <button type="button" className="min-w-0 break-all text-left text-blue-700 hover:underline" onClick={() => setAt(e.path)}>
                  📁 {e.name}
                </button>
              ) : (
                <button type="button" className="min-w-0 break-all text-left text-slate-800 hover:underline" onClick={() => onPick(e.path)}>
                  {e.name}
                </button>
              )}
              {e.bytes !== null && <span className="shrink-0 text-xs text-slate-600">{formatBytes(e.bytes)}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A labelled path input with Browse…; `kind` says what a pick may be (a folder can still be typed for a file). */
export function PathPicker({ label, hint, value, onValue, kind, className, testId, ...rest }: Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
  label: string; hint?: ReactNode; value: string; onValue: (path: string) => void; kind: PickKind; testId?: string;
}) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const action = useAction();
  const browse = async () => {
    if (api.transport === 'http') return setOpen((o) => !o);
    const picked = await action.run(() => api.call('files.choose', { kind: kind === 'folder' ? 'folder' : 'file' }));
    if (picked?.path) onValue(picked.path);
  };
  return (
    <Field label={label} hint={hint} className={className}>
      {(id, describedBy) => (
        <>
          <div className="flex gap-2">
            <input id={id} aria-describedby={describedBy} className={INPUT} value={value} onChange={(e) => onValue(e.target.value)} data-testid={testId} {...rest} />
            <Button onClick={() => void browse()} aria-label={`Browse for the ${label.toLowerCase()}`} data-testid={testId && `${testId}-browse`}>
              Browse…
            </Button>
          </div>
          <ErrorBox error={action.error} />
          {open && <FolderBrowser kind={kind} onClose={() => setOpen(false)} onPick={(p) => { onValue(p); setOpen(false); }} />}
        </>
      )}
    </Field>
  );
}
