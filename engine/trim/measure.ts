/**
 * Measuring a keep mask: task performance P on an evaluation split (DESIGN.md §1: accuracy for mcq/yes-no,
 * next-token top-1 accuracy on target tokens otherwise), the calibration sample of a scan, and each sub-layer's
 * activation Frobenius norm over the calibration tokens (paper §3.3, Eq. 4).
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask, SubLayerName } from '../model/sublayers.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import { evaluateMultipleChoice } from '../eval/multiple-choice.ts';
import { evaluateTextTokens } from '../eval/text-tokens.ts';
import { encodePair } from '../eval/encode-pair.ts';
import { seededSample } from '../random.ts';
import type { Evaluable } from './prepare.ts';

/**
 * P as counts: `hits` of `total` predictions right (items whose acc choice is gold; target tokens whose top-1
 * prediction is the target). Counts of disjoint parts of a set add up to the whole set's, exactly.
 */
export interface PerformanceCounts {
  hits: number;
  total: number;
  /** Multiple choice: items whose acc_norm choice is gold (acc_norm = normHits / total); absent for tokens. */
  normHits?: number;
}

/** The counts behind P of a keep mask on an evaluation set (P = hits / total). */
export async function performanceCounts(model: LlamaModel, tokenizer: Tokenizer, data: Evaluable, keep: KeepMask): Promise<PerformanceCounts> {
  if (data.kind === 'choice') {
    const r = await evaluateMultipleChoice(model, tokenizer, data.items, { keep, batchSize: 16 });
    // acc_norm is a mean of 0/1 per item: accNorm · n is its integer count
    return { hits: r.predictions.filter((p, i) => p === data.items[i]!.gold).length, total: r.n, normHits: Math.round(r.accNorm * r.n) };
  }
  const r = await evaluateTextTokens(model, data.examples, { keep, batchSize: 16 });
  return { hits: r.correct, total: r.tokens };
}

/**
 * P of a keep mask on an evaluation set, in [0, 1]: hits / total of performanceCounts (equal, bit for bit, to the
 * evaluations' own acc = mean of 0/1 per item and accuracy = correct / targets).
 */
export async function performance(model: LlamaModel, tokenizer: Tokenizer, data: Evaluable, keep: KeepMask): Promise<number> {
  const { hits, total } = await performanceCounts(model, tokenizer, data, keep);
  return hits / total;
}

/** A seeded sample of at most `size` items of an evaluation set (a fresh calibration set per epoch). */
export function calibrationSample(data: Evaluable, size: number, seed: number): Evaluable {
  const pick = <T>(items: T[]): T[] => seededSample(items, size, seed);
  return data.kind === 'choice' ? { kind: 'choice', items: pick(data.items) } : { kind: 'tokens', examples: pick(data.examples) };
}

/** Token sequences of a calibration set (each at most maxSeqLen tokens): the examples, or each item's context with its gold continuation. */
export function calibrationSequences(tokenizer: Tokenizer, data: Evaluable, maxSeqLen: number): number[][] {
  if (data.kind === 'tokens') return data.examples.map((e) => e.inputIds);
  return data.items.map((item) => {
    const { contextIds, continuationIds } = encodePair(tokenizer, item.context, item.continuations[item.gold]!);
    return [...contextIds, ...continuationIds].slice(-maxSeqLen);
  });
}

/**
 * Squared Frobenius norm of each kept sub-layer's output on each sequence, `Σ_tokens Σ_features a²`, one
 * sequence at a time (so no padding enters it); the per-sequence terms of activationNorms.
 * @returns per sequence, in order, sub-layer name → squared norm
 */
export async function subLayerSquares(model: LlamaModel, sequences: readonly number[][], keep: KeepMask): Promise<Map<SubLayerName, number>[]> {
  const out: Map<SubLayerName, number>[] = [];
  for (const seq of sequences) {
    const ids = tf.tensor2d([seq], [1, seq.length], 'int32');
    const { logits, subLayerOutputs } = model.forward(ids, { keep, collectSubLayerOutputs: true });
    const names = [...subLayerOutputs!.keys()];
    const squares = tf.tidy(() => tf.stack(names.map((n) => tf.sum(tf.square(subLayerOutputs!.get(n)!)))));
    const values = await squares.data();
    tf.dispose([ids, logits, squares, ...subLayerOutputs!.values()]);
    out.push(new Map(names.map((n, i) => [n, values[i]!])));
  }
  return out;
}

/** Norms from per-sequence squared norms, added in sequence order: `sqrt(Σ_sequences square)` per sub-layer. */
export function normsFromSquares(perSequence: readonly ReadonlyMap<SubLayerName, number>[]): Map<SubLayerName, number> {
  const sums = new Map<SubLayerName, number>();
  for (const squares of perSequence) for (const [n, v] of squares) sums.set(n, (sums.get(n) ?? 0) + v);
  return new Map([...sums].map(([n, s]) => [n, Math.sqrt(s)]));
}

/**
 * Frobenius norm of each kept sub-layer's output over every calibration token (one sequence at a time, so no
 * padding enters the norm): `‖A_u‖_F = sqrt(Σ_tokens Σ_features a²)`.
 */
export async function activationNorms(
  model: LlamaModel,
  tokenizer: Tokenizer,
  data: Evaluable,
  keep: KeepMask,
): Promise<Map<SubLayerName, number>> {
  return normsFromSquares(await subLayerSquares(model, calibrationSequences(tokenizer, data, model.config.maxSeqLen), keep));
}
