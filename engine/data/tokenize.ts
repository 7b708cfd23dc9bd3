/**
 * Tokenizing formatted examples and fitting them into the model's context (truncate.ts), through the Tokenizer
 * contract. Continuations are tokenized the lm-evaluation-harness way (engine/eval/encode-pair.ts): encode(context +
 * continuation) minus the context's own tokens, so word-boundary merges (SentencePiece's leading space) come out
 * right; a token that spans a join belongs to what follows it.
 */
import type { Tokenizer } from '../io/tokenizer.ts';
import { encodePair, splitAfterPrefix } from '../eval/encode-pair.ts';
import type { ScoringExample, TrainingExample } from './prompts.ts';
import { fitContext, fitMasked, type FitResult, type MaskedFitResult } from './truncate.ts';

/** A scoring example as token ids, fitted to the context length. */
export interface EncodedScoring {
  context: number[];
  continuations: number[][];
  gold: number;
  fit: FitResult;
}

/**
 * Tokenizes a scoring example (context with the tokenizer's special tokens, i.e. BOS) and fits it into
 * `maxLength` tokens (see fitContext). Each choice is encoded with the context (encodePair); the shared context is
 * the shortest of their context ids (all are prefixes of the context's own encoding), so a choice whose first
 * token spans the join keeps that token.
 * @throws RangeError when maxLength is not an integer ≥ 2
 */
export function encodeScoringExample(tokenizer: Tokenizer, example: ScoringExample, maxLength: number): EncodedScoring {
  const pairs = example.continuations.map((c) => encodePair(tokenizer, example.context, c));
  const split = Math.min(...pairs.map((p) => p.contextIds.length));
  const context = pairs[0]?.contextIds.slice(0, split) ?? tokenizer.encode(example.context);
  const continuations = pairs.map((p) => [...p.contextIds.slice(split), ...p.continuationIds]);
  const fit = fitContext(context, continuations, maxLength, { bosId: tokenizer.bosId });
  return { context: fit.context, continuations: fit.continuations, gold: example.gold, fit };
}

/** A training example as token ids with a per-token loss mask, fitted to the context length. */
export interface EncodedTraining {
  ids: number[];
  /** `loss[i]` is true when token i is a target (predicted from tokens before it). */
  loss: boolean[];
  fit: MaskedFitResult;
}

/**
 * Tokenizes a training example segment by segment (each segment's tokens are what it adds to the encoding of
 * the text so far), appends EOS (the tokenizer's first EOS id) after segments marked `eos`, and fits the result
 * into `maxLength` tokens (see fitMasked). Special tokens (BOS) are added for plain examples; a chat-template
 * rendering already carries its own, so none are added. A token that spans the join of two segments ("…ti" +
 * "me" → `time`) replaces the earlier segment's last tokens and takes the later segment's loss flag
 * (splitAfterPrefix), unless that would remove an EOS already appended: then what follows the EOS is appended.
 * @throws RangeError when maxLength is not an integer ≥ 2
 */
export function encodeTrainingExample(tokenizer: Tokenizer, example: TrainingExample, maxLength: number): EncodedTraining {
  const addSpecialTokens = example.format !== 'chat-template';
  const ids: number[] = [];
  const loss: boolean[] = [];
  let text = '';
  let prev = addSpecialTokens ? tokenizer.encode('', { addSpecialTokens }) : [];
  ids.push(...prev);
  loss.push(...prev.map(() => false));
  const eos = tokenizer.eosIds[0];
  let sealed = 0; // tokens of `prev` before the last EOS appended (final: ids holds the EOS after them)
  for (const seg of example.segments) {
    text += seg.text;
    const now = tokenizer.encode(text, { addSpecialTokens });
    let keep = splitAfterPrefix(prev, now);
    if (keep < sealed) keep = prev.length;
    ids.length -= prev.length - keep;
    loss.length = ids.length;
    const added = now.slice(keep);
    ids.push(...added);
    loss.push(...added.map(() => seg.loss));
    prev = now;
    if (seg.eos && eos !== undefined) {
      ids.push(eos);
      loss.push(seg.loss);
      sealed = now.length;
    }
  }
  const fit = fitMasked(ids, loss, maxLength, { bosId: tokenizer.bosId });
  return { ids: fit.ids, loss: fit.loss, fit };
}
