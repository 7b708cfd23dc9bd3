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

/** P of a keep mask on an evaluation set, in [0, 1]. */
export async function performance(model: LlamaModel, tokenizer: Tokenizer, data: Evaluable, keep: KeepMask): Promise<number> {
  if (data.kind === 'choice') return (await evaluateMultipleChoice(model, tokenizer, data.items, { keep, batchSize: 16 })).acc;
  return (await evaluateTextTokens(model, data.examples, { keep, batchSize: 16 })).accuracy;
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
 * Frobenius norm of each kept sub-layer's output over every calibration token (one sequence at a time, so no
 * padding enters the norm): `‖A_u‖_F = sqrt(Σ_tokens Σ_features a²)`.
 */
export async function activationNorms(
  model: LlamaModel,
  tokenizer: Tokenizer,
  data: Evaluable,
  keep: KeepMask,
): Promise<Map<SubLayerName, number>> {
  const sums = new Map<SubLayerName, number>();
  for (const seq of calibrationSequences(tokenizer, data, model.config.maxSeqLen)) {
    const ids = tf.tensor2d([seq], [1, seq.length], 'int32');
    const { logits, subLayerOutputs } = model.forward(ids, { keep, collectSubLayerOutputs: true });
    const names = [...subLayerOutputs!.keys()];
    const squares = tf.tidy(() => tf.stack(names.map((n) => tf.sum(tf.square(subLayerOutputs!.get(n)!)))));
    const values = await squares.data();
    tf.dispose([ids, logits, squares, ...subLayerOutputs!.values()]);
    names.forEach((n, i) => sums.set(n, (sums.get(n) ?? 0) + values[i]!));
  }
  return new Map([...sums].map(([n, s]) => [n, Math.sqrt(s)]));
}
