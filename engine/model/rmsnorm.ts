/**
 * RMSNorm (Zhang & Sennrich 2019, Eq. 4): `y = x / sqrt(mean(x²) + ε) · g`, over the last axis.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * @param x [..., dim]
 * @param gain [dim]
 * @param eps ε, e.g. 1e-5
 * @returns [..., dim]
 */
export function rmsNorm<T extends tf.Tensor>(x: T, gain: tf.Tensor1D | tf.Variable, eps: number): T {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), -1, true); // [..., 1]
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gain) as T;
  });
}
