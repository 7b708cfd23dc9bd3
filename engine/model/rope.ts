/**
 * Rotary position embedding (RoPE; Su et al., "RoFormer", Eq. 34), in the rotate-half layout of Hugging Face
 * Llama checkpoints: for head width d and i < d/2, the pair (x[i], x[i + d/2]) is rotated by angle
 * `pos · θ^(-2i/d)`.
 *
 * llama2.c rotates interleaved pairs (x[2i], x[2i+1]) instead. Both are the same rotation applied to a permuted
 * head; `interleavedToHalfPermutation` gives the row permutation that moves a llama2.c q/k projection into this
 * layout, applied once at load (the same permutation Hugging Face's Llama conversion script applies).
 */
import * as tf from '@tensorflow/tfjs';
import { inferenceKernelAvailable, ROPE_KERNEL } from '../backend/inference-kernels.ts';
import { recordingGradients } from './derived.ts';

/** Precomputed cos/sin tables, [maxSeqLen, headDim] each (angles computed in float64, stored as float32). */
export interface RopeTables {
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
}

/** Builds the cos/sin tables for positions 0..maxSeqLen-1. Dispose with disposeRope. */
export function createRope(headDim: number, maxSeqLen: number, theta: number): RopeTables {
  const half = headDim / 2;
  const cos = new Float32Array(maxSeqLen * headDim);
  const sin = new Float32Array(maxSeqLen * headDim);
  for (let p = 0; p < maxSeqLen; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(theta, (-2 * i) / headDim);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * headDim + i] = c;
      cos[p * headDim + i + half] = c;
      sin[p * headDim + i] = s;
      sin[p * headDim + i + half] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [maxSeqLen, headDim]), sin: tf.tensor2d(sin, [maxSeqLen, headDim]) };
}

/** Frees the tables. */
export function disposeRope(r: RopeTables): void {
  r.cos.dispose();
  r.sin.dispose();
}

/**
 * The cos/sin rows of positions offset..offset+seq-1, [seq, headDim] each (a forward pass slices them once and
 * shares them across its blocks). The caller disposes them.
 */
export function ropeWindow(rope: RopeTables, offset: number, seq: number): RopeTables {
  const headDim = rope.cos.shape[1];
  return { cos: tf.slice(rope.cos, [offset, 0], [seq, headDim]), sin: tf.slice(rope.sin, [offset, 0], [seq, headDim]) };
}

/**
 * Applies RoPE to x: [batch, heads, seq, headDim] with the window's angles (ropeWindow, [seq, headDim]).
 * @returns [batch, heads, seq, headDim]
 */
export function applyRopeWindow(x: tf.Tensor4D, window: RopeTables): tf.Tensor4D {
  if (!recordingGradients() && inferenceKernelAvailable(ROPE_KERNEL)) {
    // One kernel instead of six at inference (backend/inference-kernels.ts).
    return tf.engine().runKernel(ROPE_KERNEL, { x, cos: window.cos, sin: window.sin }) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const half = x.shape[3] / 2;
    const [x1, x2] = tf.split(x, [half, half], 3); // [b, h, s, d/2] each
    const rotated = tf.concat([tf.neg(x2), x1], 3); // rotate_half(x)
    return tf.add(tf.mul(x, window.cos), tf.mul(rotated, window.sin));
  });
}

/**
 * Row permutation taking a q/k projection ([nHeads * headDim, in], rows = outputs) from llama2.c's interleaved
 * RoPE layout to rotate-half: new row `h·d + j·d/2 + i` = old row `h·d + 2i + j` (j ∈ {0,1}, i < d/2).
 * @returns perm with newRow r = oldRow perm[r]
 */
export function interleavedToHalfPermutation(nHeads: number, headDim: number): Int32Array {
  const perm = new Int32Array(nHeads * headDim);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < half; i++) perm[h * headDim + j * half + i] = h * headDim + 2 * i + j;
    }
  }
  return perm;
}
