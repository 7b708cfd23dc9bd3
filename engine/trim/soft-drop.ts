/**
 * Soft dropping (a TrimLLM variant, engine/trim/EXPERIMENTS.md): the sub-layer chosen by a scan is not removed at
 * once; over the next training epoch its residual contribution is scaled linearly from 1 to 0,
 * `h_out = h_in + s · f(h_in)` (LlamaModel.residualScale), so the rest of the model adapts while it fades; at the
 * end of that epoch it is removed from the keep mask. At s = 0 the stream equals the dropped sub-layer's exactly.
 */
import type { LlamaModel } from '../model/llama.ts';

/**
 * The fading factor after `done` of `total` training examples of the epoch: `1 − done / total`, clamped to [0, 1].
 * @throws RangeError when total is not positive
 */
export function fadeScale(done: number, total: number): number {
  if (!(total > 0)) throw new RangeError(`an epoch needs a positive example count, got ${total}`);
  return Math.min(1, Math.max(0, 1 - done / total));
}

/** Sets the fading factor of sub-layer `index` (null: no sub-layer fades; the map is cleared). */
export function setFading(model: LlamaModel, index: number | null, scale = 1): void {
  model.residualScale.clear();
  if (index !== null) model.residualScale.set(index, scale);
}
