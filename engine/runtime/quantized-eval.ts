/**
 * TrimLLM + post-training quantization (paper §4.3, Table 7) measured through llama.cpp: a model (base, full
 * fine-tune or TrimLLM checkpoint) is exported as GGUF in F32, Q8_0 and Q4_0, and each file is scored on the test
 * split with the engine's harness conventions — multiple choice: acc = argmax over choices of the loglikelihood
 * of (context, continuation) encoded by encodePair; tokens: top-1 next-token accuracy over the target tokens —
 * and timed decoding (greedy, batch 1). Rows go to the report next to the engine's own entries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePair } from '../eval/encode-pair.ts';
import { argmaxFirst } from '../eval/mc-metrics.ts';
import { exportGguf } from '../io/gguf-export.ts';
import type { GgufDtype } from '../io/gguf-quant.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { ReportEntryKind, QuantizedRow } from '../report/types.ts';
import type { Evaluable } from '../trim/prepare.ts';
import { LlamaCppModel } from './llama-cpp.ts';

/** A model to measure: weights with their keep mask, the tokenizer and where it came from. */
export interface QuantizeCandidate {
  name: string;
  kind: ReportEntryKind;
  model: LlamaModel;
  tokenizer: Tokenizer;
  tokenizerSource: string;
}

/** Options of measureQuantized. */
export interface QuantizedOptions {
  /** Encodings measured. Default QUANTIZED_DTYPES. */
  dtypes?: readonly GgufDtype[];
  /** llama.cpp threads. Default 1 (measured fastest through node-llama-cpp on 2 cores). */
  threads?: number;
  /** Tokens generated for the decode speed. Default 64. */
  decodeTokens?: number;
  /** Called after each test record with its index and the seconds its scoring took (evaluateWithLlamaCpp). */
  onRecord?: (index: number, seconds: number) => void;
}

/** The work llama.cpp does for one test record: scored positions (each returns the whole next-token distribution) and tokens evaluated. */
export interface ScoringWork {
  positions: number;
  tokens: number;
}

/** Each choice's context and continuation of multiple-choice item `i`, as the engine encodes them. */
function choicePairs(tokenizer: Tokenizer, test: Extract<Evaluable, { kind: 'choice' }>, i: number) {
  const item = test.items[i]!;
  return item.continuations.map((c) => encodePair(tokenizer, item.context, c));
}

/** Positions of a token example's targets (loss on, never position 0). */
function targetsOf(e: { inputIds: readonly number[]; lossMask: readonly number[] }): number[] {
  return e.inputIds.flatMap((_, k) => (k > 0 && e.lossMask[k] ? [k] : []));
}

/**
 * What scoring test record `i` costs llama.cpp (evaluateWithLlamaCpp): the positions whose distribution is read
 * and the tokens evaluated (the choices' shared context once: LlamaCppModel keeps it between them).
 */
export function scoringWork(tokenizer: Tokenizer, test: Evaluable, i: number): ScoringWork {
  if (test.kind === 'tokens') {
    const targets = targetsOf(test.examples[i]!);
    return { positions: targets.length, tokens: targets.length === 0 ? 0 : targets.at(-1)! };
  }
  const pairs = choicePairs(tokenizer, test, i);
  const continuations = pairs.reduce((a, p) => a + p.continuationIds.length, 0);
  return { positions: continuations, tokens: Math.max(...pairs.map((p) => p.contextIds.length)) + continuations };
}

/**
 * Test-split performance of a GGUF loaded in llama.cpp, as the engine scores it.
 * @param onRecord called after each record with its index and the seconds its scoring took
 * @returns performance in [0, 1]
 * @throws Error when the split is empty
 */
export async function evaluateWithLlamaCpp(
  llama: LlamaCppModel, tokenizer: Tokenizer, test: Evaluable, onRecord: (index: number, seconds: number) => void = () => {},
): Promise<number> {
  if (test.kind === 'choice') {
    if (test.items.length === 0) throw new Error('the test split has no items');
    let correct = 0;
    for (const [i, item] of test.items.entries()) {
      const start = performance.now();
      const lls: number[] = [];
      for (const pair of choicePairs(tokenizer, test, i)) {
        lls.push((await llama.scoreContinuation(pair.contextIds, pair.continuationIds)).loglikelihood);
      }
      if (argmaxFirst(lls) === item.gold) correct++;
      onRecord(i, (performance.now() - start) / 1000);
    }
    return correct / test.items.length;
  }
  let correct = 0;
  let total = 0;
  for (const [i, e] of test.examples.entries()) {
    const start = performance.now();
    const targets = targetsOf(e);
    if (targets.length === 0) continue;
    const { argmaxes } = await llama.scoreTargets({
      ids: e.inputIds, positions: targets.map((k) => k - 1), targets: targets.map((k) => e.inputIds[k]!),
    });
    targets.forEach((k, j) => { if (argmaxes[j] === e.inputIds[k]) correct++; });
    total += targets.length;
    onRecord(i, (performance.now() - start) / 1000);
  }
  if (total === 0) throw new Error('the test split has no target tokens');
  return correct / total;
}

/** A lap timer: each call returns the seconds since the previous call (or since it was made). */
function lapTimer(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    return seconds;
  };
}

/** The encodings a report measures each model in, in order. */
export const QUANTIZED_DTYPES: readonly GgufDtype[] = ['F32', 'Q8_0', 'Q4_0'];

/** Wall time of each part of one file's measurement (seconds). */
export interface GgufFileSeconds {
  export: number;
  open: number;
  score: number;
  decode: number;
}

/**
 * Exports `c` in `dtype` to `path`, measures the file in llama.cpp (test-split performance, decode tokens/s) and
 * deletes it.
 * @param metric the engine's metric name for the split ('acc' or 'next_token_acc')
 * @returns the report row and the seconds each part took (trim/plan-measure.ts extrapolates them to a run)
 * @throws the errors of exportGguf, LlamaCppModel.open and evaluateWithLlamaCpp
 */
export async function measureGgufFile(
  c: QuantizeCandidate, dtype: GgufDtype, path: string, test: Evaluable, metric: string, options: QuantizedOptions = {},
): Promise<{ row: QuantizedRow; seconds: GgufFileSeconds }> {
  const threads = options.threads ?? 1;
  const clock = lapTimer();
  try {
    const { bytes } = await exportGguf(c.model, c.tokenizer, c.tokenizerSource, path, { dtype });
    const exportSeconds = clock();
    const llama = await LlamaCppModel.open(path, { threads, contextSize: Math.min(c.model.config.maxSeqLen, 2048) });
    const open = clock();
    try {
      const value = await evaluateWithLlamaCpp(llama, c.tokenizer, test, options.onRecord);
      const score = clock();
      const prompt = c.tokenizer.bosId === null ? c.tokenizer.encode('The') : [c.tokenizer.bosId];
      const n = Math.min(options.decodeTokens ?? 64, c.model.config.maxSeqLen - prompt.length - 1);
      const { decodeTokensPerSecond } = await llama.greedy(prompt, n);
      return {
        row: { name: c.name, kind: c.kind, dtype, fileBytes: bytes, metric, performance: value, decodeTokensPerSecond, threads },
        seconds: { export: exportSeconds, open, score, decode: clock() },
      };
    } finally {
      await llama.dispose();
    }
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Exports each candidate in each dtype to a temporary folder, measures it in llama.cpp and deletes the file.
 * @param metric the engine's metric name for the split ('acc' or 'next_token_acc')
 */
export async function measureQuantized(
  candidates: readonly QuantizeCandidate[],
  test: Evaluable,
  metric: string,
  options: QuantizedOptions = {},
): Promise<QuantizedRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-quant-'));
  const rows: QuantizedRow[] = [];
  try {
    for (const c of candidates) {
      for (const dtype of options.dtypes ?? QUANTIZED_DTYPES) {
        rows.push((await measureGgufFile(c, dtype, join(dir, `${rows.length}.gguf`), test, metric, options)).row);
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
