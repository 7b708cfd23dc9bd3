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

/** √(Σ_i ‖g_i‖²), a device scalar (0 for no gradients). */
export function globalNorm(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    let sq: tf.Tensor = tf.scalar(0);
    for (const g of grads) sq = tf.add(sq, tf.sum(tf.square(g)));
    return tf.sqrt(sq) as tf.Scalar;
  });
}

/**
 * Clips gradients to a maximum global norm, in place: each gradient of `grads` is replaced by its clipped value
 * and the input disposed at once, so clipping needs one gradient's bytes of headroom, not a copy of all of them.
 * @param maxNorm > 0; Infinity computes the norm without clipping
 * @returns the global norm before clipping (the caller disposes it)
 * @throws RangeError when maxNorm is not positive
 */
export function clipInPlace(grads: Map<string, tf.Tensor>, maxNorm: number): tf.Scalar {
  if (!(maxNorm > 0)) throw new RangeError(`maxNorm must be positive, got ${maxNorm}`);
  const norm = globalNorm(grads.values());
  if (maxNorm === Infinity) return norm;
  const scale = tf.tidy(() => tf.div(maxNorm, tf.maximum(norm, maxNorm)));
  for (const [name, g] of grads) {
    grads.set(name, tf.mul(g, scale));
    g.dispose();
  }
  scale.dispose();
  return norm;
}
