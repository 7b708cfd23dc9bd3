/**
 * Throughput benchmark (DESIGN.md §2): prefill and decode tokens/s at batch 1 with a KV cache, warm-up runs
 * excluded, median over timed runs; plus the parameter bytes and matmul FLOPs per token of the keep mask, so a
 * full and a trimmed model can be printed side by side with their ideal ratio.
 *
 * One run = one prefill forward over `promptTokens` synthetic ids (logits of the last position only), then
 * `newTokens` decode forwards of one token each, feeding back the greedy argmax. Each forward is timed up to
 * reading its logits back (`await data()`), which is when the backend has finished the work.
 *   prefill tokens/s = promptTokens / prefill seconds
 *   decode tokens/s  = newTokens / Σ decode-step seconds
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';
import { createKvCache, disposeKvCache } from '../model/kv-cache.ts';
import { flopsPerToken, keptParameterBytes } from '../model/params.ts';

/** Options of benchmarkThroughput. */
export interface ThroughputOptions {
  /** Prompt length in tokens. Default 128. */
  promptTokens?: number;
  /** Tokens decoded after the prompt. Default 128. */
  newTokens?: number;
  /** Timed runs. Default 5. */
  runs?: number;
  /** Untimed runs before them (kernel compilation, allocation). Default 1. */
  warmup?: number;
  /** Sub-layers to run (default: the model's keepMask). */
  keep?: KeepMask;
}

/** Minimum and maximum over the timed runs. */
export interface Spread {
  min: number;
  max: number;
}

/** Result of benchmarkThroughput. */
export interface ThroughputResult {
  /** Median prefill throughput, prompt tokens per second. */
  prefillTokensPerSecond: number;
  /** Median decode throughput, generated tokens per second (batch 1, KV cache). */
  decodeTokensPerSecond: number;
  /** Min/max over the timed runs, tokens per second. */
  spread: { prefillTokensPerSecond: Spread; decodeTokensPerSecond: Spread };
  /** Parameter bytes of the kept sub-layers plus embeddings, final norm and head (float32). */
  paramBytes: number;
  /** Matmul FLOPs per decoded token at the middle decode position (params.ts flopsPerToken). */
  flopsPerToken: number;
  /** The tfjs backend the benchmark ran on, e.g. 'wasm'. */
  backend: string;
  /** The settings used. */
  promptTokens: number;
  newTokens: number;
  runs: number;
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function argmax(values: Float32Array | Int32Array | Uint8Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** One prefill + decode run; returns seconds for each phase. */
async function timedRun(model: LlamaModel, prompt: number[], newTokens: number, keep: KeepMask): Promise<[number, number]> {
  const cache = createKvCache(model.config.nLayers);
  try {
    let input = prompt;
    let prefill = 0;
    let decode = 0;
    for (let step = 0; step <= newTokens; step++) {
      const start = performance.now();
      const ids = tf.tensor2d(input, [1, input.length], 'int32');
      const { logits } = model.forward(ids, { keep, cache, lastPositionOnly: true }); // [1, 1, V]
      const values = await logits.data();
      tf.dispose([ids, logits]);
      const seconds = (performance.now() - start) / 1000;
      if (step === 0) prefill = seconds;
      else decode += seconds;
      input = [argmax(values)];
    }
    return [prefill, decode];
  } finally {
    disposeKvCache(cache);
  }
}

/**
 * Measures prefill and decode throughput (see the file docstring).
 * @throws Error when a count is not a positive integer (warmup may be 0) or promptTokens + newTokens exceeds
 *   the model's context
 */
export async function benchmarkThroughput(model: LlamaModel, options: ThroughputOptions = {}): Promise<ThroughputResult> {
  const { promptTokens = 128, newTokens = 128, runs = 5, warmup = 1 } = options;
  const keep = options.keep ?? model.keepMask;
  for (const [name, v, least] of [['promptTokens', promptTokens, 1], ['newTokens', newTokens, 1], ['runs', runs, 1], ['warmup', warmup, 0]] as const) {
    if (!Number.isInteger(v) || v < least) throw new Error(`${name} must be an integer ≥ ${least}, got ${v}`);
  }
  const { maxSeqLen, vocabSize } = model.config;
  if (promptTokens + newTokens > maxSeqLen) {
    throw new Error(
      `promptTokens + newTokens = ${promptTokens + newTokens} exceeds the model's context of ${maxSeqLen}; use fewer tokens`,
    );
  }
  // Synthetic prompt: a fixed, spread-out sequence of valid ids (content does not change the work done).
  const prompt = Array.from({ length: promptTokens }, (_, i) => (i * 7919 + 1) % vocabSize);
  for (let i = 0; i < warmup; i++) await timedRun(model, prompt, newTokens, keep);
  const prefill: number[] = [];
  const decode: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [p, d] = await timedRun(model, prompt, newTokens, keep);
    prefill.push(promptTokens / p);
    decode.push(newTokens / d);
  }
  return {
    prefillTokensPerSecond: median(prefill),
    decodeTokensPerSecond: median(decode),
    spread: {
      prefillTokensPerSecond: { min: Math.min(...prefill), max: Math.max(...prefill) },
      decodeTokensPerSecond: { min: Math.min(...decode), max: Math.max(...decode) },
    },
    paramBytes: keptParameterBytes(model.config, keep),
    flopsPerToken: flopsPerToken(model.config, keep, promptTokens + Math.floor(newTokens / 2)),
    backend: tf.getBackend(),
    promptTokens,
    newTokens,
    runs,
  };
}
