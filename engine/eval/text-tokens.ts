/**
 * Next-token metrics on target tokens (DESIGN.md §1 "Performance P" for instruction, chat and raw text; §2
 * perplexity): for every token i with lossMask[i] = 1 (i ≥ 1), the model's prediction at position i − 1 is
 * compared with token i.
 *
 *   accuracy   = (# targets where argmax logits[i − 1] = ids[i]) / (# targets)
 *   meanNll    = −(1 / # targets) Σ log softmax(logits[i − 1])[ids[i]]      (natural log, nats per token)
 *   perplexity = exp(meanNll)
 *
 * Pooled over all target tokens of all examples (a token-weighted mean, like a training loss). Examples are
 * right-padded into batches with a paddingMask, longest first; only target positions' logits are gathered.
 */
import { scoreTargets } from './target-scores.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** One tokenized example. */
export interface TokenExample {
  /** Token ids (usually BOS first), at most the model's maxSeqLen. */
  inputIds: number[];
  /** Same length as inputIds; 1 where the token is a target (e.g. response tokens), else 0. Index 0 is ignored. */
  lossMask: number[];
}

/** Options of evaluateTextTokens. */
export interface TextTokenOptions {
  /** Sub-layers to run (default: the model's keepMask). */
  keep?: KeepMask;
  /** Examples per forward pass. Default 8. */
  batchSize?: number;
  /** Called after each batch with the examples scored so far and their total (examples with a target). */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; when aborted the evaluation throws the signal's reason. */
  signal?: AbortSignal;
}

/** Next-token metrics over the target tokens. */
export interface TextTokenMetrics {
  /** Top-1 next-token accuracy on target tokens, in [0, 1]: correct / tokens. */
  accuracy: number;
  /** Number of target tokens the model's top-1 prediction got right. */
  correct: number;
  /** Mean negative log-likelihood per target token (nats). */
  meanNll: number;
  /** exp(meanNll). */
  perplexity: number;
  /** Number of target tokens scored. */
  tokens: number;
  /** Number of examples. */
  examples: number;
}

/**
 * Target positions of one example: indices i ≥ 1 with lossMask[i] = 1.
 * @param index the example's index, for the error message
 * @throws Error when inputIds and lossMask differ in length or the example exceeds maxSeqLen
 */
export function targetPositions(example: TokenExample, index: number, maxSeqLen: number): number[] {
  const { inputIds, lossMask } = example;
  if (inputIds.length !== lossMask.length) {
    throw new Error(`example ${index}: ${inputIds.length} input ids but ${lossMask.length} loss-mask entries`);
  }
  if (inputIds.length > maxSeqLen) {
    throw new Error(`example ${index}: ${inputIds.length} tokens exceed the model's context of ${maxSeqLen}; truncate it first`);
  }
  const out: number[] = [];
  for (let i = 1; i < inputIds.length; i++) if (lossMask[i]) out.push(i);
  return out;
}

/**
 * Evaluates next-token accuracy, mean NLL and perplexity on the target tokens of the examples.
 * @throws Error when there are no examples, no target token at all, an example is malformed or too long, or
 *   batchSize < 1; the signal's reason when aborted
 */
export async function evaluateTextTokens(
  model: LlamaModel,
  examples: readonly TokenExample[],
  options: TextTokenOptions = {},
): Promise<TextTokenMetrics> {
  if (examples.length === 0) throw new Error('no examples to evaluate');
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const { maxSeqLen } = model.config;
  const rows = examples.map((e, index) => ({ index, ids: e.inputIds, targets: targetPositions(e, index, maxSeqLen) }));
  const totalTargets = rows.reduce((a, r) => a + r.targets.length, 0);
  if (totalTargets === 0) throw new Error('no target tokens: every lossMask is 0 (position 0 cannot be a target)');
  const order = rows.filter((r) => r.targets.length > 0).sort((a, b) => b.ids.length - a.ids.length || a.index - b.index);
  let nll = 0;
  let correct = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    options.signal?.throwIfAborted();
    const batch = order.slice(start, start + batchSize);
    const { logProbs: lp, argmaxes: am } = await scoreTargets(
      model,
      batch.map((row) => ({ ids: row.ids, positions: row.targets.map((i) => i - 1), targets: row.targets.map((i) => row.ids[i]!) })),
      options.keep,
    );
    const targets = batch.flatMap((row) => row.targets.map((i) => row.ids[i]!));
    targets.forEach((t, k) => {
      nll -= lp[k]!;
      if (am[k] === t) correct++;
    });
    options.onProgress?.(Math.min(start + batchSize, order.length), order.length);
  }
  const meanNll = nll / totalTargets;
  return {
    accuracy: correct / totalTargets,
    correct,
    meanNll,
    perplexity: Math.exp(meanNll),
    tokens: totalTargets,
    examples: examples.length,
  };
}
