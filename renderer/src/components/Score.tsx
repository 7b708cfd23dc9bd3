/**
 * A measured performance as people read it: "52.1% ± 7.2" (binomial standard error, in percentage points) with
 * the metric's plain name, its explanation on hover, and a "guessing level" mark when it is within noise of chance.
 */
import { atChance, metricHelp, metricLabel, standardError, type FrontierEntry } from '../lib/metrics.ts';
import { formatPercent } from '../lib/format.ts';

/** "± 7.2" for a standard error of 0.072, or '' without one. */
export function formatError(se: number | null): string {
  return se === null ? '' : ` ± ${(se * 100).toFixed(1)}`;
}

/** The cell content for `e`; `compact` leaves out the second line (acc_norm). */
export function Score({ e, compact = false }: { e: FrontierEntry; compact?: boolean }) {
  const se = standardError(e);
  const help = `${metricHelp(e.metric)}${se !== null ? ` ± is one standard error over ${e.n} test records: the score could easily be that much higher or lower by luck.` : ''}`;
  return (
    <span title={help}>
      <span className="tabular-nums">{formatPercent(e.performance)}{formatError(se)}</span>{' '}
      <span className="text-xs text-slate-600 underline decoration-dotted">{metricLabel(e.metric)}</span>
      {atChance(e) && <span className="ml-1 rounded bg-amber-100 px-1 text-xs text-amber-900" title={`Guessing would score about ${formatPercent(e.chance)}: this is no better than chance.`}>guessing level</span>}
      {!compact && e.accNorm !== undefined && (
        <span className="block text-xs text-slate-600" title={metricHelp('acc_norm')}>{metricLabel('acc_norm')} {formatPercent(e.accNorm)}</span>
      )}
    </span>
  );
}

/** Decode speed measured side by side at the end, with its spread: "1,426 (1,380–1,450)". */
export function Speed({ e }: { e: FrontierEntry }) {
  const s = e.decodeSpread;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return (
    <span className="tabular-nums" title="Words (tokens) written per second, median of several runs measured side by side at the end of the run; in brackets the slowest and fastest run.">
      {n(e.decodeTokensPerSecond)}
      {s && <span className="block text-xs text-slate-600">{n(s.min)}–{n(s.max)}</span>}
    </span>
  );
}
