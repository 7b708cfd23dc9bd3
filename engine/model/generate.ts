/**
 * Autoregressive generation with a KV cache, streamed as text pieces (the shape of transformers' generate():
 * processors and a sampler in sampling.ts, stopping criteria and a text streamer here).
 *
 * One prefill forward over the prompt, then one decode forward per new token (batch 1). Text is produced by
 * decoding the whole sequence and emitting what is new, holding back an incomplete UTF-8 character (U+FFFD at
 * the end) and any tail that could still become a stop string. When generation ends for any other reason (max
 * tokens, a stop token, a full context, an abort) the held-back text is flushed as a last chunk, so the
 * concatenated chunks always equal GenerationStats.text.
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
  /**
   * Leave out leading and trailing whitespace of the generated text, in the stream and in the final text alike
   * (a chat reply after `Assistant:` starts with a space): whitespace is held back until text follows it.
   * Default false.
   */
  trimWhitespace?: boolean;
}

/** One streamed piece of generated text. */
export interface GenerationChunk {
  /** New text (may be empty while a multi-byte character or a possible stop string is pending). */
  text: string;
  /** The token just generated; for the final flush of held-back text, the last generated token (-1: none). */
  tokenId: number;
}

/** Statistics of a finished generation (the return value of the iterator). */
export interface GenerationStats {
  /** Why it stopped. */
  reason: 'max_tokens' | 'stop_token' | 'stop_string' | 'context_full' | 'aborted';
  /** Ids generated (excluding a final stop token). */
  tokenIds: number[];
  /** The whole generated text (trimmed with `trimWhitespace`); equal to the concatenated chunks. */
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
  const generatedText = () => tokenizer.decode(sequence, { skipSpecialTokens: true }).slice(base.length);
  const shown = (text: string) => (options.trimWhitespace ? text.trim() : text);
  let emitted = 0; // characters of shown text already yielded
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
      const full = generatedText();
      const { cut, pending } = stopStringCut(full, stops);
      const ready = shown(full.slice(0, cut >= 0 ? cut : full.length - pending - (full.endsWith('\uFFFD') ? 1 : 0)));
      if (ready.length > emitted) {
        yield { text: ready.slice(emitted), tokenId: next };
        emitted = ready.length;
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
  const full = generatedText();
  const { cut } = stopStringCut(full, stops);
  const text = shown(cut >= 0 ? full.slice(0, cut) : full);
  // What was held back as a possible stop-string start (or an unfinished character) and did not become a stop.
  if (text.length > emitted) yield { text: text.slice(emitted), tokenId: generated.at(-1) ?? -1 };
  return {
    reason,
    tokenIds: generated,
    text,
    prefillTokensPerSecond: prefillSeconds > 0 ? promptIds.length / prefillSeconds : 0,
    decodeTokensPerSecond: decodeSeconds > 0 ? (generated.length - 1) / decodeSeconds : 0,
  };
}
