/**
 * The matvec-only time of a decoded token: the model's per-token matrix-vector products alone — every weight
 * matrix a decode step of the keep mask multiplies a [1, in] vector by (LlamaModel.decodeMatrices: the fused
 * q/k/v and gate/up projections, the output and down projections, the LM head), with the same backend op
 * (tf.matMul) on the same tensors, and nothing else: no norms, RoPE, attention, residual adds or KV cache. A
 * decode step cannot be faster than this on the same backend; `decode ms/token ÷ matvec-only ms/token` is the
 * overhead factor of everything else (the bench prints it beside each decode result).
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';

/**
 * Times `reps` passes over the decode matrices of `keep`, each pass ending when the last product's values are
 * on the host (as a decode step ends with reading its logits).
 * @returns milliseconds of each pass
 */
export async function timeMatvecs(model: LlamaModel, keep: KeepMask, reps: number): Promise<number[]> {
  const matrices = model.decodeMatrices(keep);
  const inputs = new Map<number, tf.Tensor2D>();
  for (const { weight, transposeB } of matrices) {
    const k = transposeB ? weight.shape[1] : weight.shape[0];
    if (!inputs.has(k)) inputs.set(k, tf.randomUniform([1, k], -1, 1, 'float32', k) as tf.Tensor2D);
  }
  const times: number[] = [];
  try {
    for (let r = 0; r < reps; r++) {
      const start = performance.now();
      let y: tf.Tensor | null = null;
      for (const { weight, transposeB } of matrices) {
        y?.dispose();
        y = tf.matMul(inputs.get(transposeB ? weight.shape[1] : weight.shape[0])!, weight, false, transposeB);
      }
      await y!.data();
      y!.dispose();
      times.push(performance.now() - start);
    }
  } finally {
    tf.dispose([...inputs.values()]);
  }
  return times;
}
