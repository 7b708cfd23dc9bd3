/**
 * Tokenizes a (context, continuation) pair the way lm-evaluation-harness does (`_encode_pair`): trailing
 * whitespace of the context moves to the front of the continuation, the concatenation is encoded once, and the
 * continuation is whatever follows the context's own token count. The model thus scores exactly the tokens it
 * would see in running text.
 */
import type { Tokenizer } from '../io/tokenizer.ts';

/** Token ids of a context and its continuation. */
export interface EncodedPair {
  /** Context ids, with the tokenizer's special tokens (BOS). */
  contextIds: number[];
  /** Continuation ids (may be empty when the continuation adds no token). */
  continuationIds: number[];
}

/** Encodes a pair; see the file docstring. */
export function encodePair(tokenizer: Tokenizer, context: string, continuation: string): EncodedPair {
  const trailing = context.length - context.trimEnd().length;
  const ctx = context.slice(0, context.length - trailing);
  const cont = context.slice(context.length - trailing) + continuation;
  const whole = tokenizer.encode(ctx + cont);
  const contextLength = tokenizer.encode(ctx).length;
  return { contextIds: whole.slice(0, contextLength), continuationIds: whole.slice(contextLength) };
}
