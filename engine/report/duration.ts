/**
 * Durations in words, one helper for every face: `trimllm plan`'s phase lines, the app's estimate before a run,
 * and the report's "predicted X ± U, took Y (the estimate was Z% high)" line.
 */

/** Seconds as `2.4 h`, `12.5 min` or `42 s` (one decimal above a minute). */
export function formatDuration(seconds: number): string {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 60) return `${(seconds / 60).toFixed(1)} min`;
  return `${seconds.toFixed(0)} s`;
}

/** A run's predicted wall time (before it started) and the time it took. */
export interface RunTiming {
  /** The prediction (`trimllm plan`'s estimate, seconds ± one spread), absent when none was made. */
  predicted?: { seconds: number; uncertainty: number };
  /** Wall time the run took, summed over its starts and resumes (seconds). */
  actualSeconds: number;
}

/**
 * The timing in words: `predicted 2.4 h ± 20.0 min, took 2.1 h (the estimate was 13% high)`, or `took 2.1 h`
 * without a prediction. The share is (predicted − actual) / actual: high when the run took less than predicted.
 */
export function describeTiming(t: RunTiming): string {
  const took = `took ${formatDuration(t.actualSeconds)}`;
  if (!t.predicted) return took;
  const off = t.actualSeconds > 0 ? (t.predicted.seconds - t.actualSeconds) / t.actualSeconds : 0;
  return `predicted ${formatDuration(t.predicted.seconds)} ± ${formatDuration(t.predicted.uncertainty)}, ${took} ` +
    `(the estimate was ${(100 * Math.abs(off)).toFixed(0)}% ${off >= 0 ? 'high' : 'low'})`;
}
