/**
 * Autoregressive generation with a KV cache, streamed as text pieces (the shape of transformers' generate():
 * processors and a sampler in sampling.ts, stopping criteria and a text streamer here).
 *
 * One prefill forward over the prompt, then one decode forward per new token (batch 1). Text is produced by
 * decoding the whole sequence and emitting what is new, holding back an incomplete UTF-8 character (U+FFFD at
 * the end) and any tail that could still become a stop string.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from './llama.ts';
import { createKvCache, disposeKvCache } from './kv-cache.ts';
import { createSampler, type SamplingOptions } from './sampling.ts';
import type { Tokenizer } from '../io/tokenizer.ts';

/** Options of generate(). */
export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate. Default 256. */
  maxTokens?: number;
  /** Token ids that end generation (not emitted). Default: the tokenizer's eosIds. */
  stopTokenIds?: readonly number[];
  /** Strings that end generation (the text up to them is emitted, the stop string is not). */
  stopStrings?: readonly string[];
  /** Checked between tokens; when it is aborted generation ends with reason 'aborted'. */
  signal?: AbortSignal;
}

/** One streamed piece of generated text. */
export interface GenerationChunk {
  /** New text (may be empty while a multi-byte character or a possible stop string is pending). */
  text: string;
  /** The token just generated. */
  tokenId: number;
}

/** Statistics of a finished generation (the return value of the iterator). */
export interface GenerationStats {
  /** Why it stopped. */
  reason: 'max_tokens' | 'stop_token' | 'stop_string' | 'context_full' | 'aborted';
  /** Ids generated (excluding a final stop token). */
  tokenIds: number[];
  /** The whole generated text. */
  text: string;
  /** Prompt tokens / prefill seconds. */
  prefillTokensPerSecond: number;
  /** Generated tokens after the first / seconds spent on them (decode throughput, batch 1). */
  decodeTokensPerSecond: number;
}

function stopStringCut(text: string, stops: readonly string[]): { cut: number; pending: number } {
  let cut = -1;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  if (cut >= 0) return { cut, pending: 0 };
  let pending = 0; // longest tail that is a proper prefix of a stop string
  for (const s of stops) {
    for (let n = Math.min(s.length - 1, text.length); n > pending; n--) {
      if (text.endsWith(s.slice(0, n))) {
        pending = n;
        break;
      }
    }
  }
  return { cut: -1, pending };
}

/**
 * Generates a continuation of promptIds.
 * @param promptIds token ids of the prompt (usually starting with BOS); at least one
 * @returns an async iterator of text pieces whose return value is the GenerationStats
 * @throws Error when the prompt is empty or longer than the model's context
 */
export async function* generate(
  model: LlamaModel,
  tokenizer: Tokenizer,
  promptIds: readonly number[],
  options: GenerateOptions = {},
): AsyncGenerator<GenerationChunk, GenerationStats, void> {
  if (promptIds.length === 0) throw new Error('generate needs at least one prompt token (e.g. BOS)');
  if (promptIds.length >= model.config.maxSeqLen) {
    throw new Error(`prompt of ${promptIds.length} tokens leaves no room in a ${model.config.maxSeqLen}-token context`);
  }
  const maxTokens = options.maxTokens ?? 256;
  const stopIds = new Set(options.stopTokenIds ?? tokenizer.eosIds);
  const stops = options.stopStrings ?? [];
  const sampler = createSampler(options);
  const cache = createKvCache(model.config.nLayers);
  const sequence = [...promptIds];
  const generated: number[] = [];
  const base = tokenizer.decode(promptIds, { skipSpecialTokens: true });
  let emitted = 0; // characters of generated text already yielded
  let reason: GenerationStats['reason'] = 'max_tokens';
  let decodeSeconds = 0;
  let prefillSeconds = 0;
  try {
    let input = [...promptIds];
    while (generated.length < maxTokens) {
      if (options.signal?.aborted) {
        reason = 'aborted';
        break;
      }
      if (cache.length + input.length > model.config.maxSeqLen) {
        reason = 'context_full';
        break;
      }
      const start = performance.now();
      const ids = tf.tensor2d([input], [1, input.length], 'int32');
      const { logits } = model.forward(ids, { cache, lastPositionOnly: true }); // [1, 1, V]
      const values = (await logits.data()) as Float32Array;
      tf.dispose([ids, logits]);
      const seconds = (performance.now() - start) / 1000;
      if (cache.length === input.length) prefillSeconds = seconds;
      else decodeSeconds += seconds;
      const next = sampler.next(values.slice(), sequence);
      if (stopIds.has(next)) {
        reason = 'stop_token';
        break;
      }
      sequence.push(next);
      generated.push(next);
      input = [next];
      const full = tokenizer.decode(sequence, { skipSpecialTokens: true }).slice(base.length);
      const { cut, pending } = stopStringCut(full, stops);
      const end = cut >= 0 ? cut : full.length - pending - (full.endsWith('\uFFFD') ? 1 : 0);
      if (end > emitted) {
        yield { text: full.slice(emitted, end), tokenId: next };
        emitted = end;
      } else {
        yield { text: '', tokenId: next };
      }
      if (cut >= 0) {
        reason = 'stop_string';
        break;
      }
    }
  } finally {
    disposeKvCache(cache);
  }
  let text = tokenizer.decode(sequence, { skipSpecialTokens: true }).slice(base.length);
  const { cut } = stopStringCut(text, stops);
  if (cut >= 0) text = text.slice(0, cut);
  return {
    reason,
    tokenIds: generated,
    text,
    prefillTokensPerSecond: prefillSeconds > 0 ? promptIds.length / prefillSeconds : 0,
    decodeTokensPerSecond: decodeSeconds > 0 ? (generated.length - 1) / decodeSeconds : 0,
  };
}
