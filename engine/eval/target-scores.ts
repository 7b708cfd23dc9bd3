/**
 * The shared core of loglikelihood scoring and next-token accuracy: one forward pass over a right-padded batch,
 * then, for each requested (position, target token), log p(target | tokens ≤ position) and the argmax at that
 * position. Only the requested positions are log-softmaxed.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** One sequence of a batch and the predictions to read from it. */
export interface TargetRow {
  /** Token ids fed to the model (≤ maxSeqLen). */
  ids: readonly number[];
  /** Positions whose logits are read (position p predicts token p + 1). */
  positions: readonly number[];
  /** The token expected at each position's prediction, same length as positions. */
  targets: readonly number[];
}

/** Per requested prediction, in row order then position order. */
export interface TargetScores {
  /** log p(target), natural log. */
  logProbs: Float32Array;
  /** The model's top-1 token at each position. */
  argmaxes: Int32Array;
}

/**
 * Scores a batch (rows may differ in length; shorter rows are right-padded and masked).
 * @throws Error from the model when a row exceeds its context
 */
export async function scoreTargets(model: LlamaModel, rows: readonly TargetRow[], keep?: KeepMask): Promise<TargetScores> {
  const { vocabSize } = model.config;
  const seq = Math.max(...rows.map((r) => r.ids.length));
  const ids = new Int32Array(rows.length * seq);
  const mask = new Int32Array(rows.length * seq);
  const gatherAt: number[] = []; // flat [b·seq + position]
  const targets: number[] = [];
  rows.forEach((row, b) => {
    ids.set(row.ids, b * seq);
    mask.fill(1, b * seq, b * seq + row.ids.length);
    row.positions.forEach((p, j) => {
      gatherAt.push(b * seq + p);
      targets.push(row.targets[j]!);
    });
  });
  const padded = rows.some((r) => r.ids.length < seq);
  const [logProbs, argmaxes] = tf.tidy(() => {
    const idsT = tf.tensor2d(ids, [rows.length, seq], 'int32');
    const paddingMask = padded ? tf.tensor2d(mask, [rows.length, seq], 'int32') : undefined;
    const { logits } = model.forward(idsT, { ...(keep ? { keep } : {}), ...(paddingMask ? { paddingMask } : {}) }); // [b, seq, V]
    const flat = tf.reshape(logits, [rows.length * seq, vocabSize]) as tf.Tensor2D;
    const picked = tf.gather(flat, tf.tensor1d(gatherAt, 'int32')); // [T, V]
    const hit = tf.oneHot(tf.tensor1d(targets, 'int32'), vocabSize); // [T, V]
    return [tf.sum(tf.mul(tf.logSoftmax(picked), hit), -1), tf.argMax(picked, -1)]; // [T] each
  });
  const [lp, am] = await Promise.all([logProbs.data(), argmaxes.data()]);
  tf.dispose([logProbs, argmaxes]);
  return { logProbs: lp as Float32Array, argmaxes: am as Int32Array };
}
