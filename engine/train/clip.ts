/**
 * Gradient clipping by global norm (Pascanu, Mikolov & Bengio 2013, "On the difficulty of training recurrent
 * neural networks", Algorithm 1): with ‖g‖ = √(Σ_i ‖g_i‖²) over all parameters,
 *
 *   g_i ← g_i · maxNorm / max(‖g‖, maxNorm)
 *
 * which leaves g unchanged when ‖g‖ ≤ maxNorm and rescales it to norm exactly maxNorm otherwise. Everything
 * stays on the device: the norm is returned as a scalar for the caller to read once per step.
 */
import * as tf from '@tensorflow/tfjs';

/** Result of clipByGlobalNorm. The caller owns (and disposes) every tensor. */
export interface ClipResult {
  /** Clipped gradients, same names and shapes as the input. */
  grads: Map<string, tf.Tensor>;
  /** Global norm before clipping, scalar. */
  norm: tf.Scalar;
}

/** √(Σ_i ‖g_i‖²), a device scalar (0 for no gradients). */
export function globalNorm(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    let sq: tf.Tensor = tf.scalar(0);
    for (const g of grads) sq = tf.add(sq, tf.sum(tf.square(g)));
    return tf.sqrt(sq) as tf.Scalar;
  });
}

/**
 * Clips gradients to a maximum global norm. The input tensors are not disposed.
 * @param maxNorm > 0; Infinity computes the norm without clipping
 * @throws RangeError when maxNorm is not positive
 */
export function clipByGlobalNorm(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number): ClipResult {
  if (!(maxNorm > 0)) throw new RangeError(`maxNorm must be positive, got ${maxNorm}`);
  const norm = globalNorm(grads.values());
  const scale = tf.tidy(() => tf.div(maxNorm, tf.maximum(norm, maxNorm))); // 1 when ‖g‖ ≤ maxNorm
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) out.set(name, maxNorm === Infinity ? tf.clone(g) : tf.mul(g, scale));
  scale.dispose();
  return { grads: out, norm };
}
