/**
 * RMSNorm (Zhang & Sennrich 2019, Eq. 4): `y = x / sqrt(mean(x²) + ε) · g`, over the last axis.
 */
import * as tf from '@tensorflow/tfjs';
import { inferenceKernelAvailable, RMS_NORM_KERNEL } from '../backend/inference-kernels.ts';
import { recordingGradients } from './derived.ts';

/**
 * @param x [..., dim]
 * @param gain [dim]
 * @param eps ε, e.g. 1e-5
 * @returns [..., dim]
 */
export function rmsNorm<T extends tf.Tensor>(x: T, gain: tf.Tensor1D | tf.Variable, eps: number): T {
  if (!recordingGradients() && inferenceKernelAvailable(RMS_NORM_KERNEL)) {
    // One kernel instead of six at inference (backend/inference-kernels.ts).
    return tf.engine().runKernel(RMS_NORM_KERNEL, { x, gain }, { eps }) as T;
  }
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), -1, true); // [..., 1]
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gain) as T;
  });
}
