/**
 * Tokenizes a (context, continuation) pair the way lm-evaluation-harness does (`_encode_pair`): trailing
 * whitespace of the context moves to the front of the continuation, the concatenation is encoded once, and the
 * continuation is whatever follows the context's own tokens. The model thus scores exactly the tokens it would
 * see in running text.
 *
 * When a token spans the join ("Once upon a ti" + "me" → `time`), the context's own encoding is not a prefix of
 * the whole, and cutting the whole at its length would leave the continuation no token (the harness's
 * `assert len(continuation_enc) > 0`, its issues #1053/#1297 and PR #4055). The split then moves left, to the
 * end of the longest prefix the two encodings share, so the spanning token belongs to the continuation and the
 * context ids stay a prefix of the whole.
 */
import type { Tokenizer } from '../io/tokenizer.ts';

/** Token ids of a context and its continuation. */
export interface EncodedPair {
  /** Context ids, with the tokenizer's special tokens (BOS); always a prefix of encode(context + continuation). */
  contextIds: number[];
  /** Continuation ids: the rest of encode(context + continuation); empty only when the continuation adds no token. */
  continuationIds: number[];
}

/** Number of leading ids two sequences share. */
export function sharedPrefixLength(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Where the ids of `prefix` end inside `whole`, the encoding of a longer text that starts with prefix's text:
 * prefix's length when its ids are a prefix of whole's, else (a token spans the join) the end of the ids the two
 * share, but never past `whole.length - 1`, so what follows keeps at least one token.
 */
export function splitAfterPrefix(prefix: readonly number[], whole: readonly number[]): number {
  const shared = sharedPrefixLength(prefix, whole);
  return shared === prefix.length ? shared : Math.max(0, Math.min(shared, whole.length - 1));
}

/** Encodes a pair; see the file docstring. */
export function encodePair(tokenizer: Tokenizer, context: string, continuation: string): EncodedPair {
  const trailing = context.length - context.trimEnd().length;
  const ctx = context.slice(0, context.length - trailing);
  const cont = context.slice(context.length - trailing) + continuation;
  const whole = tokenizer.encode(ctx + cont);
  const split = splitAfterPrefix(tokenizer.encode(ctx), whole);
  return { contextIds: whole.slice(0, split), continuationIds: whole.slice(split) };
}
