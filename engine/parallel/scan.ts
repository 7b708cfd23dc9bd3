/**
 * A calibration scan split across threads: the candidates of one scan (the keep mask minus one sub-layer each)
 * are independent, so thread j evaluates candidates j, j + N, j + 2N, … (interleaved: with prefix reuse a
 * candidate early in the model costs more than a late one, so contiguous blocks would leave threads idle), each
 * inside its own prefix-reuse session. Scores are bit-identical to the serial scan (importance.ts): every
 * candidate's P is computed by the same code on the same weights.
 */
import type { Tokenizer } from '../io/tokenizer.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask, SubLayerName } from '../model/sublayers.ts';
import { candidateScore, type SubLayerScore } from '../trim/importance.ts';
import { performance as calibrationPerformance } from '../trim/measure.ts';
import type { Evaluable } from '../trim/prepare.ts';
import { yieldToEventLoop } from '../event-loop.ts';
import type { WorkerPool } from './pool.ts';
import { recordEncodings } from './recorded-tokenizer.ts';

/** P of `keep` minus each candidate index (forward order, one prefix-reuse session). */
export async function scanCandidates(
  model: LlamaModel,
  tokenizer: Tokenizer,
  keep: KeepMask,
  candidates: readonly number[],
  calibration: Evaluable,
): Promise<number[]> {
  const session = model.startPrefixReuse(keep);
  try {
    const out: number[] = [];
    for (const index of candidates) {
      out.push(await calibrationPerformance(model, tokenizer, calibration, keep.map((k, i) => k && i !== index)));
      await yieldToEventLoop(); // a cancel is seen within one candidate
    }
    return out;
  } finally {
    session.dispose();
  }
}

/**
 * Scores every kept sub-layer of `keep` (as scanSubLayers with the performance evaluator of measure.ts), the
 * candidates split between the main thread and the pool's workers. The workers' weights must equal the model's
 * (WorkerPool.syncWeights after every update).
 * @returns scores in forward order, as the serial scan
 */
export async function parallelScan(
  pool: WorkerPool,
  model: LlamaModel,
  tokenizer: Tokenizer,
  keep: KeepMask,
  calibration: Evaluable,
  activationNorms: ReadonlyMap<SubLayerName, number>,
): Promise<SubLayerScore[]> {
  const kept = keep.flatMap((k, i) => (k ? [i] : []));
  const n = pool.size + 1;
  const shares = Array.from({ length: n }, (_, j) => kept.filter((_, r) => r % n === j));
  const encodings = pool.size > 0 ? recordEncodings(tokenizer, calibration) : null;
  const results = await Promise.all(
    shares.map((candidates, j) =>
      j === 0
        ? scanCandidates(model, tokenizer, keep, candidates, calibration)
        : pool.request<number[]>(j - 1, { type: 'scan', keep: [...keep], candidates, calibration, encodings: encodings! }),
    ),
  );
  const p = new Map<number, number>();
  shares.forEach((candidates, j) => candidates.forEach((index, r) => p.set(index, results[j]![r]!)));
  return kept.map((index) => candidateScore(index, p.get(index)!, activationNorms));
}
