/**
 * Batched loglikelihood scoring of (context, continuation) token pairs: the batched form of
 * loglikelihood.ts's `scoreContinuation` (lm-evaluation-harness `loglikelihood` requests, DESIGN.md §2).
 *
 * Each pair becomes one row (context + continuation)[:-1], right-padded to the longest row of its batch with a
 * paddingMask; rows are sorted longest first (as the harness does) so a batch holds rows of similar length.
 * Only the continuation positions' logits are gathered and log-softmaxed ([T, vocab], T = continuation tokens
 * in the batch), so memory beyond the forward pass stays small. Results come back in input order.
 */
import { scoreTargets } from './target-scores.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';
import type { ContinuationScore } from './loglikelihood.ts';
import type { EncodedPair } from './encode-pair.ts';

/** Options of scorePairs. */
export interface ScorePairsOptions {
  /** Sub-layers to run (default: the model's keepMask). */
  keep?: KeepMask;
  /** Rows per forward pass. Default 8. */
  batchSize?: number;
  /** Called after each batch with the number of pairs scored so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Checked before each batch; when aborted, scorePairs throws the signal's reason (an AbortError). */
  signal?: AbortSignal;
}

/**
 * Shortens a pair that does not fit the model's context by dropping context tokens from the LEFT, keeping a
 * leading BOS in place (the harness keeps the right end of context + continuation).
 * The model reads (context + continuation)[:-1], so a pair fits when context + continuation − 1 ≤ maxSeqLen.
 * @param bosId the tokenizer's BOS id (kept first when the context starts with it), or null
 * @returns the pair (unchanged when it fits) and whether it was truncated
 * @throws Error when the continuation alone leaves no room for a context token
 */
export function fitPairToContext(
  pair: EncodedPair,
  maxSeqLen: number,
  bosId: number | null,
): { pair: EncodedPair; truncated: boolean } {
  const { contextIds, continuationIds } = pair;
  const room = maxSeqLen + 1 - continuationIds.length; // context tokens that fit
  if (contextIds.length <= room) return { pair, truncated: false };
  if (room < 1) {
    throw new Error(
      `a continuation of ${continuationIds.length} tokens does not fit the model's ${maxSeqLen}-token context; ` +
        'shorten the choice text',
    );
  }
  const keepBos = bosId !== null && contextIds[0] === bosId;
  const tail = keepBos ? room - 1 : room;
  const kept = contextIds.slice(contextIds.length - tail);
  return { pair: { contextIds: keepBos ? [bosId, ...kept] : kept, continuationIds }, truncated: true };
}

interface Row {
  index: number;
  input: number[]; // (context + continuation)[:-1]
  first: number; // position whose logits predict the first continuation token
  targets: number[]; // continuation ids
}

/**
 * Scores every pair; results are in input order.
 * @param pairs non-empty contexts and continuations that fit the model (see fitPairToContext)
 * @throws Error when a context or continuation is empty, a row exceeds the model's context, or batchSize < 1;
 *   the signal's reason when aborted
 */
export async function scorePairs(
  model: LlamaModel,
  pairs: readonly EncodedPair[],
  options: ScorePairsOptions = {},
): Promise<ContinuationScore[]> {
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const { maxSeqLen } = model.config;
  const rows: Row[] = pairs.map((p, index) => {
    if (p.contextIds.length === 0) throw new Error(`pair ${index}: the context must hold at least one token (e.g. BOS)`);
    if (p.continuationIds.length === 0) throw new Error(`pair ${index}: the continuation encodes to no tokens`);
    const input = [...p.contextIds, ...p.continuationIds].slice(0, -1);
    if (input.length > maxSeqLen) {
      throw new Error(`pair ${index}: ${input.length} tokens exceed the model's context of ${maxSeqLen}; truncate it first`);
    }
    return { index, input, first: p.contextIds.length - 1, targets: [...p.continuationIds] };
  });
  const order = [...rows].sort((a, b) => b.input.length - a.input.length || a.index - b.index);
  const results = new Array<ContinuationScore>(rows.length);
  for (let start = 0; start < order.length; start += batchSize) {
    options.signal?.throwIfAborted();
    const batch = order.slice(start, start + batchSize);
    const { logProbs: lp, argmaxes: am } = await scoreTargets(
      model,
      batch.map((row) => ({ ids: row.input, positions: row.targets.map((_, j) => row.first + j), targets: row.targets })),
      options.keep,
    );
    let k = 0;
    for (const row of batch) {
      let loglikelihood = 0;
      let isGreedy = true;
      for (const t of row.targets) {
        loglikelihood += lp[k]!;
        if (am[k] !== t) isGreedy = false;
        k++;
      }
      results[row.index] = { loglikelihood, isGreedy, tokens: row.targets.length };
    }
    options.onProgress?.(Math.min(start + batchSize, order.length), order.length);
  }
  return results;
}
