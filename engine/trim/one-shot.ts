/**
 * One-shot pruning baselines scored from the residual stream on the calibration set, at sub-layer granularity
 * (DESIGN.md §1 "Baselines"). Write `h_i` for the residual stream entering sub-layer i (h_0 = the embedding,
 * h_{2L} = the stream before the final norm), one row per token:
 *
 * - Block Influence (Men et al. 2024, "ShortGPT", Eq. 1): `BI_i = 1 − mean_t cos(h_i[t], h_{i+1}[t])`; the
 *   sub-layers with the lowest BI change the stream least and are dropped.
 * - Angular distance (Gromov et al. 2024, "The Unreasonable Ineffectiveness of the Deeper Layers", Eq. 7):
 *   `d(i, n) = mean_t arccos(cos(h_i[t], h_{i+n}[t])) / π`; the contiguous block of n sub-layers starting at
 *   the i with the smallest d is dropped. (Gromov et al. use the last token only; every token is used here, as
 *   for Block Influence, since the calibration windows have no privileged position.)
 *
 * Both are computed once on the full model; each baseline then gets the same fine-tuning budget as the others.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** A one-shot pruning rule scored on hidden states. */
export type OneShotRule = 'block-influence' | 'angular';

/** Summed per-token similarities between residual streams `gap` sub-layers apart, and the token count. */
export interface StreamSimilarity {
  /** Σ_t cos(h_i[t], h_{i+gap}[t]) for i = 0 .. n − gap (n + 1 − gap entries). */
  cosineSums: number[];
  /** Σ_t arccos(cos(h_i[t], h_{i+gap}[t])) / π, same indexing. */
  angleSums: number[];
  /** Tokens summed over. */
  tokens: number;
}

/**
 * Per-token cosine and normalised angle between streams `gap` apart.
 * @param streams the residual streams h_0 .. h_n, each [tokens, dim] (same shapes)
 * @param gap ≥ 1
 * @throws RangeError when gap is out of range or the shapes differ
 */
export async function streamSimilarity(streams: readonly tf.Tensor2D[], gap: number): Promise<StreamSimilarity> {
  if (!(Number.isInteger(gap) && gap >= 1 && gap < streams.length)) throw new RangeError(`gap must be in [1, ${streams.length - 1}], got ${gap}`);
  const shape = streams[0]!.shape;
  if (!streams.every((s) => s.shape[0] === shape[0] && s.shape[1] === shape[1])) throw new RangeError('residual streams must have the same shape');
  const cos = tf.tidy(() => {
    const unit = streams.map((s) => tf.div(s, tf.maximum(tf.norm(s, 'euclidean', 1, true), 1e-12)));
    return tf.stack(unit.slice(0, unit.length - gap).map((u, i) => tf.sum(tf.mul(u, unit[i + gap]!), 1))); // [pairs, tokens]
  });
  const values = (await cos.array()) as number[][];
  cos.dispose();
  return {
    cosineSums: values.map((row) => row.reduce((a, c) => a + c, 0)),
    angleSums: values.map((row) => row.reduce((a, c) => a + Math.acos(Math.min(1, Math.max(-1, c))) / Math.PI, 0)),
    tokens: shape[0],
  };
}

/**
 * Block Influence of each sub-layer, `1 − mean cos(h_i, h_{i+1})`, from the summed similarities (gap 1).
 * @returns 2L values, one per sub-layer
 */
export function blockInfluence(similarity: StreamSimilarity): number[] {
  return similarity.cosineSums.map((c) => 1 - c / similarity.tokens);
}

/**
 * Keep mask dropping the `drop` sub-layers with the lowest scores (ties: the earlier index first).
 * @throws RangeError when drop is not in [0, scores.length)
 */
export function dropLowest(scores: readonly number[], drop: number): KeepMask {
  if (!(Number.isInteger(drop) && drop >= 0 && drop < scores.length)) throw new RangeError(`cannot drop ${drop} of ${scores.length} sub-layers`);
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const keep = new Array<boolean>(scores.length).fill(true);
  for (const [, i] of order.slice(0, drop)) keep[i] = false;
  return keep;
}

/**
 * Keep mask dropping the contiguous block of `n` sub-layers whose input/output angle is smallest
 * (similarity computed with gap n; ties: the earliest block).
 * @param nSubLayers 2L
 */
export function angularKeepMask(similarity: StreamSimilarity, nSubLayers: number, n: number): KeepMask {
  const distances = similarity.angleSums.map((a) => a / similarity.tokens);
  if (distances.length !== nSubLayers + 1 - n) throw new RangeError(`expected ${nSubLayers + 1 - n} block distances for blocks of ${n}, got ${distances.length}`);
  const start = distances.reduce((best, d, i) => (d < distances[best]! ? i : best), 0);
  return Array.from({ length: nSubLayers }, (_, i) => i < start || i >= start + n);
}

/**
 * The residual streams h_0 .. h_{2L} of one sequence through the full model (every sub-layer kept), each
 * [tokens, dim]. The caller disposes them.
 */
export function residualStreams(model: LlamaModel, ids: readonly number[]): tf.Tensor2D[] {
  const keep = model.keepMask.map(() => true);
  const input = tf.tensor2d([ids as number[]], [1, ids.length], 'int32');
  const { logits, subLayerOutputs } = model.forward(input, { keep, collectSubLayerOutputs: true });
  const outputs = [...subLayerOutputs!.values()];
  const streams = tf.tidy(() => {
    let h = tf.gather(model.weights.embedding, input).reshape([ids.length, model.config.dim]) as tf.Tensor2D;
    const out = [h];
    for (const o of outputs) {
      h = tf.add(h, o.reshape([ids.length, model.config.dim]));
      out.push(h);
    }
    return out;
  });
  tf.dispose([input, logits, ...outputs]);
  return streams;
}

/**
 * The keep mask of a one-shot rule on the full model, from the calibration sequences.
 * @param drop sub-layers to drop (the same number as the run's other baselines)
 */
export async function oneShotKeepMask(model: LlamaModel, sequences: readonly (readonly number[])[], rule: OneShotRule, drop: number): Promise<KeepMask> {
  const nSub = 2 * model.config.nLayers;
  const gap = rule === 'block-influence' ? 1 : drop;
  let total: StreamSimilarity | null = null;
  for (const seq of sequences) {
    const streams = residualStreams(model, seq);
    const s = await streamSimilarity(streams, gap);
    tf.dispose(streams);
    total = total === null ? s : {
      cosineSums: total.cosineSums.map((c, i) => c + s.cosineSums[i]!),
      angleSums: total.angleSums.map((a, i) => a + s.angleSums[i]!),
      tokens: total.tokens + s.tokens,
    };
  }
  if (!total) throw new Error('no calibration sequence to score the one-shot baseline on');
  return rule === 'block-influence' ? dropLowest(blockInfluence(total), drop) : angularKeepMask(total, nSub, drop);
}
