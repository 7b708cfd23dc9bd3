/** The estimate before a run (runs.estimate) in the trim form's words. */
import type { Response } from '../../../electron/api/contract.ts';

/** What the trim form shows of an estimate. */
export interface EstimateWords {
  /** One sentence: the time ± its uncertainty, where most of it goes, and the memory verdict. */
  headline: string;
  /** False when the run's training step does not fit this computer's memory (the headline says what would). */
  fits: boolean;
  /** One line per phase, in plain words. */
  details: string[];
}

/** The form's words of an estimate. */
export function estimateWords(res: Response<'runs.estimate'>): EstimateWords {
  return { headline: `This run should take ${res.summary}.`, fits: res.fits, details: res.details };
}

/**
 * Whether an estimate made for `estimated` (the model, dataset and settings it measured) still describes the
 * form's `current` request: any change makes it stale.
 */
export function estimateIsCurrent(estimated: unknown, current: unknown): boolean {
  return JSON.stringify(estimated) === JSON.stringify(current);
}
