/**
 * SwiGLU MLP of Llama (Shazeer 2020, "GLU Variants Improve Transformer", Eq. 6 with Swish₁ = SiLU):
 * `down( silu(x · W_gate) ⊙ (x · W_up) )`. The caller adds the result to the residual stream.
 */
import * as tf from '@tensorflow/tfjs';
import type { BlockWeights } from './weights.ts';

/** Concatenates a block's gate and up projections into `[W_gate | W_up]`, [dim, 2·hiddenDim] (caller owns it). */
export function fuseGateUp(w: BlockWeights): tf.Tensor2D {
  return tf.concat([w.wGate, w.wUp], 1) as tf.Tensor2D;
}

/**
 * @param x normalised input, [tokens, dim]
 * @param fusedGateUp `[W_gate | W_up]` (fuseGateUp): one product instead of two; null to use w's own
 * @returns the MLP sub-layer output, [tokens, dim]
 */
export function swiGluMlp(x: tf.Tensor2D, w: BlockWeights, fusedGateUp: tf.Tensor2D | null = null): tf.Tensor2D {
  return tf.tidy(() => {
    const hidden = w.wGate.shape[1]!;
    const both = fusedGateUp ? tf.matMul(x, fusedGateUp) : null; // [tokens, 2·hidden]
    const gate = both ? tf.slice(both, [0, 0], [-1, hidden]) : tf.matMul(x, w.wGate); // [tokens, hidden]
    const up = both ? tf.slice(both, [0, hidden], [-1, hidden]) : tf.matMul(x, w.wUp); // [tokens, hidden]
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up); // silu(gate) ⊙ up
    return tf.matMul(act, w.wDown); // [tokens, dim]
  });
}
