/**
 * A calibration scan split across threads by calibration examples: thread j takes a share of the examples
 * (multiple-choice items, or token examples), balanced by tokens, and computes on it everything the serial scan
 * computes on the whole set: each example's squared activation norms (measure.ts subLayerSquares) and, for every
 * candidate (the keep mask minus one kept sub-layer), P's counts (hits, total) inside its own prefix-reuse
 * session. The main thread adds the squared norms in example order and each candidate's counts over the shares.
 *
 * Why by examples and not by candidates (measured, engine/bench/README.md logs 7 and 10): split by candidates,
 * the norm pass ran on the main thread alone, every thread walked the whole prefix, and the shares' costs
 * differed; split by examples every part of the scan halves on 2 threads.
 *
 * Scores are bit-identical to the serial scan (importance.ts scanSubLayers with measure.ts performance): P is
 * a ratio of counts (acc: items whose argmax is gold; next-token accuracy: targets predicted right), and counts
 * of disjoint shares add up exactly; a row's logits do not depend on the other rows of its batch or on its
 * padding (checked bit for bit on the wasm and cpu backends, stories15M and stories110M shapes: their products
 * sum each row alone, in an order that does not depend on the row count), so each example's predictions are
 * those of the serial pass; the squared norms are per sequence and added in the same order. The native
 * `tensorflow` backend was not available to check; a BLAS that blocks by row count could move a near-tie.
 */
import type { Tokenizer } from '../io/tokenizer.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask, SubLayerName } from '../model/sublayers.ts';
import { targetPositions } from '../eval/text-tokens.ts';
import { candidateScore, scanSubLayers, type SubLayerScore } from '../trim/importance.ts';
import {
  activationNorms, calibrationSequences, normsFromSquares, performance, performanceCounts, subLayerSquares, type PerformanceCounts,
} from '../trim/measure.ts';
import type { Evaluable } from '../trim/prepare.ts';
import { yieldToEventLoop } from '../event-loop.ts';
import type { WorkerPool } from './pool.ts';
import type { WorkerRequest } from './protocol.ts';
import { recordEncodings } from './recorded-tokenizer.ts';

/** What one thread computes on its share of a calibration set (structured-clonable). */
export interface ScanShareResult {
  /** Per example of the share, in order: [sub-layer name, squared norm of its output] of every kept sub-layer. */
  squares: [SubLayerName, number][][];
  /** Per kept sub-layer in forward order: the counts of P on the share with that sub-layer dropped. */
  counts: PerformanceCounts[];
}

/** Whether an evaluation of `data` scores anything (token examples need a target token; items always count). */
function scoresAnything(data: Evaluable, maxSeqLen: number): boolean {
  return data.kind === 'choice' || data.examples.some((e, i) => targetPositions(e, i, maxSeqLen).length > 0);
}

/** P's counts of `keep` on one share (measure.ts performanceCounts); 0 of 0 for token examples without a target. */
export async function shareCounts(model: LlamaModel, tokenizer: Tokenizer, share: Evaluable, keep: KeepMask): Promise<PerformanceCounts> {
  return scoresAnything(share, model.config.maxSeqLen) ? performanceCounts(model, tokenizer, share, keep) : { hits: 0, total: 0 };
}

/**
 * The scan of one share: its examples' squared activation norms with `keep`, then P's counts with each kept
 * sub-layer dropped (forward order, one prefix-reuse session). A share of token examples without any target
 * token counts 0 of 0.
 */
export async function scanShare(model: LlamaModel, tokenizer: Tokenizer, keep: KeepMask, share: Evaluable): Promise<ScanShareResult> {
  const squares = await subLayerSquares(model, calibrationSequences(tokenizer, share, model.config.maxSeqLen), keep);
  const session = model.startPrefixReuse(keep);
  try {
    const counts: PerformanceCounts[] = [];
    for (let index = 0; index < keep.length; index++) {
      if (!keep[index]) continue;
      counts.push(await shareCounts(model, tokenizer, share, keep.map((k, i) => k && i !== index)));
      await yieldToEventLoop(); // a cancel is seen within one candidate
    }
    return { squares: squares.map((m) => [...m]), counts };
  } finally {
    session.dispose();
  }
}

/** Tokens an example costs to evaluate: its ids, or an item's context and continuation characters per choice. */
function exampleCost(data: Evaluable, i: number): number {
  if (data.kind === 'tokens') return data.examples[i]!.inputIds.length;
  const item = data.items[i]!;
  return item.continuations.reduce((a, c) => a + item.context.length + c.length, 0);
}

/**
 * Splits the examples of a calibration set into at most `n` non-empty shares of about equal cost (the costliest
 * example first, each to the share with the least cost so far).
 * @returns each share's example indices, ascending
 */
export function splitCalibration(data: Evaluable, n: number): number[][] {
  const count = data.kind === 'tokens' ? data.examples.length : data.items.length;
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => exampleCost(data, b) - exampleCost(data, a) || a - b);
  const shares = Array.from({ length: Math.max(1, Math.min(n, count)) }, () => ({ cost: 0, indices: [] as number[] }));
  for (const i of order) {
    const lightest = shares.reduce((best, s) => (s.cost < best.cost ? s : best));
    lightest.cost += exampleCost(data, i);
    lightest.indices.push(i);
  }
  return shares.map((s) => s.indices.sort((a, b) => a - b));
}

/** The examples of `data` at `indices`. */
export function subset(data: Evaluable, indices: readonly number[]): Evaluable {
  return data.kind === 'tokens'
    ? { kind: 'tokens', examples: indices.map((i) => data.examples[i]!) }
    : { kind: 'choice', items: indices.map((i) => data.items[i]!) };
}

/**
 * Runs `local` on the first share of `data` (the main thread) and the request `remote` makes on each other share
 * (one per worker), all at once: the requests are sent first, since `local` computes synchronously on the wasm
 * backend until its first await and would hold them back.
 * @returns each share's example indices with its result, in share order
 */
async function onShares<T>(
  pool: WorkerPool, data: Evaluable, local: (share: Evaluable) => Promise<T>, remote: (share: Evaluable) => WorkerRequest,
): Promise<{ indices: number[]; result: T }[]> {
  const [own, ...others] = splitCalibration(data, pool.size + 1);
  const requests = others.map((indices, j) => pool.request<T>(j, remote(subset(data, indices))));
  const results = await Promise.all([local(subset(data, own!)), ...requests]);
  return [own!, ...others].map((indices, j) => ({ indices, result: results[j]! }));
}

/** Counts of disjoint shares added up (normHits when every share has them). */
function addCounts(counts: readonly PerformanceCounts[]): PerformanceCounts {
  const sum = (f: (c: PerformanceCounts) => number) => counts.reduce((a, c) => a + f(c), 0);
  const norm = counts.every((c) => c.normHits !== undefined) ? { normHits: sum((c) => c.normHits!) } : {};
  return { hits: sum((c) => c.hits), total: sum((c) => c.total), ...norm };
}

/** P = hits / total of counts summed over shares. @throws Error when nothing was scored (no target token) */
function pooledP(counts: readonly PerformanceCounts[]): number {
  const { hits, total } = addCounts(counts);
  if (total === 0) throw new Error('no target tokens in the calibration set: every lossMask is 0 (position 0 cannot be a target)');
  return hits / total;
}

/**
 * Scores every kept sub-layer of `keep` (activation norms and calibration P, as calibrationScan's serial path),
 * the calibration examples split between the main thread and the pool's workers. The workers' weights must equal
 * the model's.
 * @returns scores in forward order, bit-identical to the serial scan's
 * @throws Error when a token calibration set has no target token (as the serial evaluation)
 */
export async function parallelScan(
  pool: WorkerPool,
  model: LlamaModel,
  tokenizer: Tokenizer,
  keep: KeepMask,
  calibration: Evaluable,
): Promise<SubLayerScore[]> {
  const shares = await onShares<ScanShareResult>(pool, calibration, (share) => scanShare(model, tokenizer, keep, share),
    (share) => ({ type: 'scan', keep: [...keep], calibration: share, encodings: recordEncodings(tokenizer, share) }));
  const perExample: Map<SubLayerName, number>[] = [];
  for (const { indices, result } of shares) indices.forEach((e, k) => (perExample[e] = new Map(result.squares[k]!)));
  const norms = normsFromSquares(perExample);
  const kept = keep.flatMap((k, i) => (k ? [i] : []));
  return kept.map((index, c) => candidateScore(index, pooledP(shares.map((s) => s.result.counts[c]!)), norms));
}

/**
 * P's counts of one keep mask on an evaluation set (trim/measure.ts performanceCounts), its examples split across
 * the pool's threads when it has workers (the counts of the shares added up: the same counts either way).
 * @throws Error from the evaluation (e.g. a token set without any target token on one thread)
 */
export async function evaluationCounts(
  model: LlamaModel, tokenizer: Tokenizer, data: Evaluable, keep: KeepMask, pool: WorkerPool | null,
): Promise<PerformanceCounts> {
  if (!pool || pool.size === 0) return performanceCounts(model, tokenizer, data, keep);
  const shares = await onShares<PerformanceCounts>(pool, data, (share) => shareCounts(model, tokenizer, share, keep),
    (share) => ({ type: 'counts', keep: [...keep], data: share, encodings: recordEncodings(tokenizer, share) }));
  return addCounts(shares.map((s) => s.result));
}

/**
 * P of one keep mask on an evaluation set (trim/measure.ts performance), on the pool's threads when it has
 * workers (evaluationCounts): the same P, bit for bit.
 * @throws Error when a token set has no target token, or from the evaluation
 */
export async function calibrationPerformance(
  model: LlamaModel, tokenizer: Tokenizer, data: Evaluable, keep: KeepMask, pool: WorkerPool | null,
): Promise<number> {
  if (!pool || pool.size === 0) return performance(model, tokenizer, data, keep);
  return pooledP([await evaluationCounts(model, tokenizer, data, keep, pool)]);
}

/**
 * One calibration scan of the kept sub-layers of `keep`: each one's activation norm (measure.ts) and P with it
 * dropped (importance.ts Eq. 3), on the pool's threads when it has workers, else serially (prefix reuse).
 * @returns scores in forward order (the same, bit for bit, either way)
 */
export async function calibrationScan(
  model: LlamaModel,
  tokenizer: Tokenizer,
  keep: KeepMask,
  calibration: Evaluable,
  pool: WorkerPool | null,
): Promise<SubLayerScore[]> {
  if (pool && pool.size > 0) return parallelScan(pool, model, tokenizer, keep, calibration);
  const norms = await activationNorms(model, tokenizer, calibration, keep);
  return scanSubLayers(model, keep, (k) => performance(model, tokenizer, calibration, k), norms);
}
