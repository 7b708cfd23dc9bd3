/**
 * Uncertainty of a measured performance (issue 15; DESIGN.md §2). Accuracy is a mean of n scored outcomes (records
 * for multiple choice, target tokens for next-token accuracy), so its binomial standard error is
 * `se = sqrt(p (1 − p) / n)`. Tokens of one text are correlated, so for next-token accuracy this is a lower bound
 * on the real error; the spread over seeds (`seedSpread`) is the fuller picture where a run is repeated.
 *
 * Two entries are "within noise" when their difference is smaller than twice the standard error of the
 * difference, `|p_a − p_b| < 2 · sqrt(se_a² + se_b²)` (about a 95% two-sided test for independent samples; the
 * entries share the test set, so this errs on the side of calling a difference noise).
 */
import type { ReportEntry } from './types.ts';

/**
 * Binomial standard error of a proportion.
 * @param p proportion in [0, 1]
 * @param n outcomes it averages (> 0)
 * @throws RangeError for p outside [0, 1] or n not positive
 */
export function binomialStderr(p: number, n: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a proportion must be in [0, 1], got ${p}`);
  if (!(n > 0)) throw new RangeError(`a standard error needs at least one scored outcome, got ${n}`);
  return Math.sqrt((p * (1 - p)) / n);
}

/** The standard error of an entry's performance, or null when the report does not say how many were scored. */
export function entryStderr(e: Pick<ReportEntry, 'performance' | 'scored'>): number | null {
  return e.scored ? binomialStderr(e.performance, e.scored) : null;
}

/** A comparison of two entries. */
export interface NoiseComparison {
  /** p_a − p_b. */
  difference: number;
  /** 2 · sqrt(se_a² + se_b²). */
  threshold: number;
  withinNoise: boolean;
}

/** Compares two entries (null when either lacks its scored count). */
export function compareEntries(a: Pick<ReportEntry, 'performance' | 'scored'>, b: Pick<ReportEntry, 'performance' | 'scored'>): NoiseComparison | null {
  const sa = entryStderr(a);
  const sb = entryStderr(b);
  if (sa === null || sb === null) return null;
  const difference = a.performance - b.performance;
  const threshold = 2 * Math.sqrt(sa * sa + sb * sb);
  return { difference, threshold, withinNoise: Math.abs(difference) < threshold };
}

/** `33.7% ± 0.4` (the ± in percentage points), or `33.7%` without a scored count. */
export function formatPerformance(e: Pick<ReportEntry, 'performance' | 'scored'>): string {
  const se = entryStderr(e);
  return `${(100 * e.performance).toFixed(1)}%${se === null ? '' : ` ± ${(100 * se).toFixed(1)}`}`;
}

/** Mean and sample standard deviation over seeds (sd 0 for one value). */
export function seedSpread(values: readonly number[]): { mean: number; sd: number; n: number } {
  if (values.length === 0) throw new RangeError('no value to summarise');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd, n: values.length };
}

/**
 * Sentences comparing the run's final TrimLLM checkpoint (the last 'trimllm' entry) with every other entry of the
 * same size or larger: "+0.2 points over random 50% + fine-tune: within noise (±0.9)".
 */
export function noiseStatements(entries: readonly ReportEntry[]): string[] {
  const trim = entries.filter((e) => e.kind === 'trimllm').at(-1);
  if (!trim) return [];
  return entries.filter((e) => e.kind !== 'trimllm').flatMap((e) => {
    const c = compareEntries(trim, e);
    if (!c) return [];
    const points = (100 * c.difference).toFixed(1);
    const sign = c.difference >= 0 ? '+' : '';
    return [`${trim.name} vs ${e.name}: ${sign}${points} points, ${c.withinNoise ? 'within noise' : 'outside noise'} (2σ = ${(100 * c.threshold).toFixed(1)} points)`];
  });
}
