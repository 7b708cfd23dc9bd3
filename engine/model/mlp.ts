/**
 * SwiGLU MLP of Llama (Shazeer 2020, "GLU Variants Improve Transformer", Eq. 6 with Swish₁ = SiLU):
 * `down( silu(x · W_gate) ⊙ (x · W_up) )`. The caller adds the result to the residual stream.
 */
import * as tf from '@tensorflow/tfjs';
import type { BlockWeights } from './weights.ts';

/**
 * @param x normalised input, [tokens, dim]
 * @returns the MLP sub-layer output, [tokens, dim]
 */
export function swiGluMlp(x: tf.Tensor2D, w: BlockWeights): tf.Tensor2D {
  return tf.tidy(() => {
    const gate = tf.matMul(x, w.wGate); // [tokens, hidden]
    const up = tf.matMul(x, w.wUp); // [tokens, hidden]
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up); // silu(gate) ⊙ up
    return tf.matMul(act, w.wDown); // [tokens, dim]
  });
}
