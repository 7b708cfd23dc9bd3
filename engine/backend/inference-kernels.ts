/**
 * Single-kernel RMSNorm and RoPE for inference on the wasm backend (webgpu-kernels.ts: the same for webgpu).
 * A batch-1 decode step of a 12-block model ran ~625 kernels, ~250 of them the 6-kernel compositions of
 * RMSNorm (square, mean, add, rsqrt, mul, mul; 2 per block + 1) and RoPE (split, neg, concat, mul, mul, add;
 * for q and k per block); each kernel costs the engine's bookkeeping on top of its arithmetic, which for
 * [1, dim] rows is nothing. These kernels compute the same functions in one pass over the wasm heap (float64
 * accumulation of the mean square, so results differ from the composition's float32 sums by rounding only).
 * They have no gradient: model code uses them only while no gradient tape records (engine/model/derived.ts
 * recordingGradients) and keeps the differentiable composition for training and for other backends.
 */
import * as tf from '@tensorflow/tfjs';

/** Kernel names (registered for the wasm backend by registerInferenceKernels). */
export const RMS_NORM_KERNEL = 'TrimllmRmsNorm';
export const ROPE_KERNEL = 'TrimllmRope';

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap };

/** y = x / sqrt(mean(x²) + eps) · gain over the last axis; x [..., dim] float32, gain [dim]. */
function rmsNormWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const b = backend as HeapBackend;
  const x = inputs.x!;
  const dim = x.shape[x.shape.length - 1]!;
  const out = b.makeOutput(x.shape.slice(), 'float32');
  const xs = b.typedArrayFromHeap(x);
  const gain = b.typedArrayFromHeap(inputs.gain!);
  const ys = b.typedArrayFromHeap(out);
  const eps = attrs.eps as number;
  for (let row = 0; row < xs.length; row += dim) {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += xs[row + i]! * xs[row + i]!;
    const scale = Math.fround(1 / Math.sqrt(Math.fround(Math.fround(sum / dim) + eps)));
    for (let i = 0; i < dim; i++) ys[row + i] = Math.fround(xs[row + i]! * scale) * gain[i]!;
  }
  return out;
}

/** x·cos + rotate_half(x)·sin; x [b, h, s, d], cos/sin [s, d] (rope.ts layout). */
function ropeWasm({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as HeapBackend;
  const x = inputs.x!;
  const [, , seq, d] = x.shape as [number, number, number, number];
  const half = d / 2;
  const out = b.makeOutput(x.shape.slice(), 'float32');
  const xs = b.typedArrayFromHeap(x);
  const cos = b.typedArrayFromHeap(inputs.cos!);
  const sin = b.typedArrayFromHeap(inputs.sin!);
  const ys = b.typedArrayFromHeap(out);
  for (let row = 0; row < xs.length / d; row++) {
    const o = row * d;
    const p = (row % seq) * d;
    for (let i = 0; i < half; i++) {
      const a = xs[o + i]!;
      const c = xs[o + i + half]!;
      ys[o + i] = Math.fround(a * cos[p + i]!) + Math.fround(-c * sin[p + i]!);
      ys[o + i + half] = Math.fround(c * cos[p + i + half]!) + Math.fround(a * sin[p + i + half]!);
    }
  }
  return out;
}

/** Registers both kernels for the wasm backend; idempotent. */
export function registerInferenceKernels(): void {
  if (tf.getKernel(RMS_NORM_KERNEL, 'wasm')) return;
  tf.registerKernel({ kernelName: RMS_NORM_KERNEL, backendName: 'wasm', kernelFunc: rmsNormWasm as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: ROPE_KERNEL, backendName: 'wasm', kernelFunc: ropeWasm as unknown as tf.KernelFunc });
}

/** Whether `kernel` runs on the active backend now. */
export function inferenceKernelAvailable(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}
