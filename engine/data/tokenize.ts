/**
 * Tokenizing formatted examples and fitting them into the model's context (truncate.ts), through the Tokenizer
 * contract. Continuations are tokenized the lm-evaluation-harness way: encode(context + continuation) minus the
 * first len(encode(context)) tokens, so word-boundary merges (SentencePiece's leading space) come out right.
 */
import type { Tokenizer } from '../io/tokenizer.ts';
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
 * `maxLength` tokens (see fitContext). A continuation that would tokenize to nothing is encoded on its own.
 * @throws RangeError when maxLength is not an integer ≥ 2
 */
export function encodeScoringExample(tokenizer: Tokenizer, example: ScoringExample, maxLength: number): EncodedScoring {
  const context = tokenizer.encode(example.context, { addSpecialTokens: true });
  const continuations = example.continuations.map((c) => {
    const whole = tokenizer.encode(example.context + c, { addSpecialTokens: true });
    const cont = whole.slice(context.length);
    return cont.length > 0 ? cont : tokenizer.encode(c, { addSpecialTokens: false });
  });
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
 * rendering already carries its own, so none are added.
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
  for (const seg of example.segments) {
    text += seg.text;
    const now = tokenizer.encode(text, { addSpecialTokens });
    const added = now.slice(prev.length);
    ids.push(...added);
    loss.push(...added.map(() => seg.loss));
    prev = now;
    if (seg.eos && eos !== undefined) {
      ids.push(eos);
      loss.push(seg.loss);
    }
  }
  const fit = fitMasked(ids, loss, maxLength, { bosId: tokenizer.bosId });
  return { ids: fit.ids, loss: fit.loss, fit };
}
