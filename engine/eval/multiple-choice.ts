/**
 * Multiple-choice (and yes/no) evaluation, lm-evaluation-harness `multiple_choice` style (DESIGN.md §2):
 * each choice's continuation is scored by its summed loglikelihood given the context; acc takes the argmax,
 * acc_norm the argmax of loglikelihood / len(choice). Yes/no tasks are the same with choices such as
 * " yes", " no", " maybe".
 *
 * Pairs are tokenized like the harness (encode-pair.ts), contexts too long for the model lose tokens from the
 * left (BOS kept first), and all pairs (across items) are scored in batches (batch-score.ts).
 */
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import { encodePair, type EncodedPair } from './encode-pair.ts';
import { fitPairToContext, scorePairs } from './batch-score.ts';
import { aggregateMultipleChoice, argmaxFirst, choiceLength, type MultipleChoiceMetrics, type ScoredItem } from './mc-metrics.ts';

/** One multiple-choice record. */
export interface MultipleChoiceItem {
  /** The prompt, e.g. `Question: What is the capital of France?\nAnswer:`. */
  context: string;
  /** Continuations to score, each including the target delimiter, e.g. `[" Paris", " Lyon"]`. */
  continuations: string[];
  /** Index of the correct continuation. */
  gold: number;
}

/** Options of evaluateMultipleChoice. */
export interface MultipleChoiceOptions {
  /** Sub-layers to run (default: the model's keepMask). */
  keep?: KeepMask;
  /** (context, continuation) pairs per forward pass. Default 8. */
  batchSize?: number;
  /**
   * Delimiter the caller put before each choice text (the harness's `target_delimiter`); it is left out of
   * the acc_norm length, as the harness divides by `len(choice)` of the bare choice. Default " ".
   */
  targetDelimiter?: string;
  /** Progress in (context, continuation) pairs scored. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; when aborted the evaluation throws the signal's reason. */
  signal?: AbortSignal;
}

/** Result of evaluateMultipleChoice: the harness metrics plus per-item detail. */
export interface MultipleChoiceResult extends MultipleChoiceMetrics {
  /** Items whose context was shortened from the left to fit the model's context. */
  truncated: number;
  /** Per item, the loglikelihood of each continuation (natural log), in the caller's order. */
  loglikelihoods: number[][];
  /** Per item, the index chosen by acc (first on ties). */
  predictions: number[];
}

/**
 * Evaluates a model on multiple-choice items.
 * @throws Error when there are no items, an item has no continuation, an empty continuation or an out-of-range
 *   gold index, a continuation alone does not fit the model's context; the signal's reason when aborted
 */
export async function evaluateMultipleChoice(
  model: LlamaModel,
  tokenizer: Tokenizer,
  items: readonly MultipleChoiceItem[],
  options: MultipleChoiceOptions = {},
): Promise<MultipleChoiceResult> {
  if (items.length === 0) throw new Error('no multiple-choice items to evaluate');
  const delimiter = options.targetDelimiter ?? ' ';
  const pairs: EncodedPair[] = [];
  const lengths: number[][] = [];
  let truncated = 0;
  items.forEach((item, i) => {
    if (item.continuations.length === 0) throw new Error(`item ${i} has no continuations`);
    if (!Number.isInteger(item.gold) || item.gold < 0 || item.gold >= item.continuations.length) {
      throw new Error(`item ${i}: gold index ${item.gold} is out of range for ${item.continuations.length} choices`);
    }
    let cut = false;
    for (const [c, continuation] of item.continuations.entries()) {
      if (continuation.length === 0) throw new Error(`item ${i}: continuation ${c} is empty`);
      const encoded = encodePair(tokenizer, item.context, continuation);
      if (encoded.contextIds.length === 0 && tokenizer.bosId !== null) encoded.contextIds = [tokenizer.bosId];
      const fitted = fitPairToContext(encoded, model.config.maxSeqLen, tokenizer.bosId);
      cut ||= fitted.truncated;
      pairs.push(fitted.pair);
    }
    if (cut) truncated++;
    lengths.push(item.continuations.map((c) => choiceLength(c, delimiter)));
  });
  const scores = await scorePairs(model, pairs, {
    keep: options.keep,
    batchSize: options.batchSize,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  let next = 0;
  const scored: ScoredItem[] = items.map((item, i) => ({
    loglikelihoods: item.continuations.map(() => scores[next++]!.loglikelihood),
    lengths: lengths[i]!,
    gold: item.gold,
  }));
  const metrics = aggregateMultipleChoice(scored);
  const loglikelihoods = scored.map((s) => [...s.loglikelihoods]);
  const predictions = loglikelihoods.map(argmaxFirst);
  return { ...metrics, truncated, loglikelihoods, predictions };
}
