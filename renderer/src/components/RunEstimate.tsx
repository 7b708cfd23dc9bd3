/**
 * "Estimate time" in the trim form: measures the run on this computer with the form's settings (runs.estimate, a
 * few seconds in the background) and says how long it should take, where most of the time goes, and whether it
 * fits this computer's memory (or what would).
 */
import { useState } from 'react';
import type { Request, Response } from '../../../electron/api/contract.ts';
import { useApi } from '../api/context.tsx';
import { useAction } from '../hooks/useCall.ts';
import { estimateIsCurrent, estimateWords } from '../lib/estimate.ts';
import { Button, ErrorBox } from './ui.tsx';

/** The button and its answer; `request` is what Start would send (null while no model or dataset is chosen). */
export function RunEstimate({ request }: { request: Request<'runs.estimate'> | null }) {
  const api = useApi();
  const action = useAction();
  const [result, setResult] = useState<{ for: Request<'runs.estimate'>; res: Response<'runs.estimate'> } | null>(null);
  const estimate = async () => {
    if (!request) return;
    const res = await action.run(() => api.call('runs.estimate', request));
    if (res) setResult({ for: request, res });
  };
  const words = result && estimateWords(result.res);
  const current = result !== null && estimateIsCurrent(result.for, request);
  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-center gap-3">
        <Button onClick={estimate} busy={action.busy} disabled={!request} data-testid="trim-estimate">
          Estimate time
        </Button>
        <span className="text-sm text-slate-600">
          {action.busy ? 'Measuring a few steps on this computer…' : 'Measures a few steps on this computer (a few seconds) and predicts the whole run.'}
        </span>
      </div>
      <ErrorBox error={action.error} />
      {words && (
        <div
          data-testid="trim-estimate-result"
          data-fits={words.fits}
          data-current={current}
          className={`rounded-md border px-3 py-2 text-sm ${words.fits ? 'border-slate-200 bg-slate-50 text-slate-800' : 'border-amber-300 bg-amber-50 text-amber-900'} ${current ? '' : 'opacity-60'}`}
        >
          <p className="font-medium">{words.headline}</p>
          {!current && <p className="mt-1 text-xs">The settings changed since: estimate again.</p>}
          <details className="mt-1">
            <summary className="cursor-pointer text-xs text-slate-600">Where the time goes</summary>
            <ul className="mt-1 list-disc pl-5 text-xs" data-testid="trim-estimate-details">
              {words.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          </details>
        </div>
      )}
    </div>
  );
}
