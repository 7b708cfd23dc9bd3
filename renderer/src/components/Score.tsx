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

/**
 * The cell content for `e`: the score ± its standard error and a "guessing level" mark; the metric's name only
 * with `withMetric` (tables name it once, in ScoreLegend).
 */
export function Score({ e, withMetric = false }: { e: FrontierEntry; withMetric?: boolean }) {
  const se = standardError(e);
  const help = `${metricLabel(e.metric)}: ${metricHelp(e.metric)}${se !== null ? ` ± is one standard error over ${e.n} test records.` : ''}${e.accNorm !== undefined ? ` Length-fair: ${formatPercent(e.accNorm)}.` : ''}`;
  return (
    <span title={help}>
      <span className="whitespace-nowrap tabular-nums">{formatPercent(e.performance)}{formatError(se)}</span>
      {withMetric && <> <span className="text-slate-600">{metricLabel(e.metric)}</span></>}
      {atChance(e) && <span className="ml-1 whitespace-nowrap rounded bg-amber-100 px-1 text-xs text-amber-900">guessing level</span>}
    </span>
  );
}

/** One line above a table of scores: what the score is, what ± means, what guessing would score. */
export function ScoreLegend({ e }: { e: FrontierEntry | undefined }) {
  if (!e) return null;
  return (
    <p className="mb-2 text-xs text-slate-600" data-testid="score-legend">
      Score = {metricLabel(e.metric)}: {metricHelp(e.metric)}
      {e.n ? ` Measured on ${e.n} test records; ± is one standard error (the score could be that much higher or lower by luck).` : ''}
      {e.chance !== undefined ? ` Guessing would score about ${formatPercent(e.chance)}.` : ''}
      {e.accNorm !== undefined ? ` Hover a score for the length-fair variant.` : ''}
    </p>
  );
}

/** Decode speed measured side by side at the end, its spread below ("1,380–1,450") and the speed-up when given. */
export function Speed({ e, speedUp = null }: { e: FrontierEntry; speedUp?: number | null }) {
  const s = e.decodeSpread;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return (
    <span className="tabular-nums" title="Words (tokens) written per second, median of several runs measured side by side at the end of the run; in brackets the slowest and fastest run.">
      {n(e.decodeTokensPerSecond)}
      {speedUp !== null && <span className="whitespace-nowrap"> ({speedUp.toFixed(2)}×)</span>}
      {s && <span className="block text-xs text-slate-600">{n(s.min)}–{n(s.max)}</span>}
    </span>
  );
}
