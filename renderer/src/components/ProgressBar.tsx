/** A determinate progress bar with a label, the count and the ETA. */
import { formatDuration } from '../lib/format.ts';

/** Progress `done / total` with an optional ETA in seconds; `format` writes the counts (e.g. as bytes), `extra` follows them. */
export function ProgressBar({ label, done, total, etaSeconds, testId = 'progress', format = String, extra }: { label: string; done: number; total: number; etaSeconds?: number | null; testId?: string; format?: (n: number) => string; extra?: string }) {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const pct = Math.round(fraction * 100);
  return (
    <div data-testid={testId}>
      <div className="mb-1 flex justify-between gap-3 text-sm">
        <span className="font-medium text-slate-800">{label}</span>
        <span className="tabular-nums text-slate-600">
          {format(done)}/{format(total)} · {pct}%{extra && <> · {extra}</>}{etaSeconds !== undefined && <> · ETA <span data-testid={`${testId}-eta`}>{formatDuration(etaSeconds)}</span></>}
        </span>
      </div>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="h-2.5 w-full overflow-hidden rounded-full bg-slate-200">
        <div className="h-full rounded-full bg-blue-600 transition-[width] duration-300" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
