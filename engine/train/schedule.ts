/**
 * Learning-rate schedule: linear warm-up, then cosine decay to a floor (warm-up: Goyal et al. 2017 §2.2;
 * cosine annealing without restarts: Loshchilov & Hutter 2017, SGDR Eq. 5, with η_min = minLrRatio · peakLr).
 *
 *   step < W:            lr = peakLr · (step + 1) / W
 *   W ≤ step < T:        p = (step − W) / (T − 1 − W)   (p = 1 when T − 1 ≤ W)
 *                        lr = peakLr · (r + (1 − r) · ½ (1 + cos π p))
 *   step ≥ T:            lr = peakLr · r
 *
 * with W = warmupSteps, T = totalSteps, r = minLrRatio. Steps are 0-based optimizer updates, so the first
 * update already learns (peakLr / W), the last warm-up step and the first decay step both use peakLr, and the
 * last step (T − 1) uses exactly the floor.
 *
 * With a warm restart at step R (SGDR, Loshchilov & Hutter 2017 §3, Eq. 5 with one restart, T_0 = R,
 * T_1 = T − R): the first cycle is the schedule above with T = R (floor at step R − 1); the second starts again
 * at peakLr without warm-up and decays to the floor at step T − 1:
 *
 *   step ≥ R:            lr = learningRate(step − R, T − R, { peakLr, warmupSteps: 0, minLrRatio })
 */

/** Shape of the schedule. */
export interface ScheduleOptions {
  /** Highest learning rate, reached at the end of warm-up (e.g. 1e-3 for stories260K, 2e-5 for 7B). */
  peakLr: number;
  /** Number of linear warm-up steps (0 for none). */
  warmupSteps: number;
  /** Floor as a fraction of peakLr, in [0, 1] (e.g. 0.1). */
  minLrRatio: number;
  /**
   * Warm restart: the 0-based step R in [1, totalSteps − 1] where a second cosine cycle starts at peakLr (e.g.
   * the first healing step of a TrimLLM run); absent: one cycle over the whole run.
   */
  restartStep?: number;
}

/**
 * Learning rate of a step.
 * @param step 0-based optimizer step
 * @param totalSteps number of steps the run will take (≥ 1)
 * @throws RangeError on a negative or non-integer step or totalSteps < 1, peakLr < 0, warmupSteps < 0, a
 *   minLrRatio outside [0, 1] or a restartStep that is not a whole number in [1, totalSteps − 1]
 */
export function learningRate(step: number, totalSteps: number, o: ScheduleOptions): number {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be a non-negative integer, got ${step}`);
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new RangeError(`totalSteps must be a positive integer, got ${totalSteps}`);
  }
  if (!(o.peakLr >= 0) || !Number.isFinite(o.peakLr)) throw new RangeError(`peakLr must be ≥ 0, got ${o.peakLr}`);
  if (!Number.isInteger(o.warmupSteps) || o.warmupSteps < 0) {
    throw new RangeError(`warmupSteps must be a non-negative integer, got ${o.warmupSteps}`);
  }
  if (!(o.minLrRatio >= 0 && o.minLrRatio <= 1)) {
    throw new RangeError(`minLrRatio must be in [0, 1], got ${o.minLrRatio}`);
  }
  const { peakLr, warmupSteps: w, minLrRatio: r, restartStep: restart } = o;
  if (restart !== undefined) {
    if (!Number.isInteger(restart) || restart < 1 || restart > totalSteps - 1) {
      throw new RangeError(`restartStep must be a whole number in [1, ${totalSteps - 1}], got ${restart}`);
    }
    return step < restart
      ? learningRate(step, restart, { peakLr, warmupSteps: w, minLrRatio: r })
      : learningRate(step - restart, totalSteps - restart, { peakLr, warmupSteps: 0, minLrRatio: r });
  }
  if (step < w) return (peakLr * (step + 1)) / w;
  const span = totalSteps - 1 - w;
  const p = span <= 0 ? 1 : Math.min(1, (step - w) / span);
  return peakLr * (r + (1 - r) * 0.5 * (1 + Math.cos(Math.PI * p)));
}
