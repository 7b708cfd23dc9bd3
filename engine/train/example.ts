/**
 * The unit of fine-tuning data the trainer consumes: token ids with a per-token loss mask (causal-LM
 * fine-tuning with response-only loss, as in instruction tuning: the prompt conditions, the answer is learned).
 *
 * Position i's logits predict token i + 1, so the target of position i − 1 is token i; `lossMask[i] = 1` says
 * "train the prediction of token i". `lossMask[0]` is ignored (nothing precedes the first token).
 */

/** One tokenized training example. */
export interface TrainingExample {
  /** Token ids, length n ≥ 2, each in [0, vocabSize). Usually starts with BOS. */
  inputIds: number[];
  /**
   * Length n, 0 or 1. `lossMask[i] = 1` when token i is a target (a response/answer token) whose prediction
   * from position i − 1 is trained on; prompt tokens get 0. Entry 0 is ignored.
   */
  lossMask: number[];
}

/**
 * Converts the data layer's encoded form (`{ids, loss: boolean[]}`, engine/data/tokenize.ts) to a
 * TrainingExample. Structural: no import of the data layer is needed.
 */
export function fromEncoded(encoded: { ids: readonly number[]; loss: readonly boolean[] }): TrainingExample {
  return { inputIds: [...encoded.ids], lossMask: encoded.loss.map((b) => (b ? 1 : 0)) };
}

/** Number of trained target tokens of an example: Σ lossMask[i] for i ≥ 1. */
export function targetTokenCount(e: TrainingExample): number {
  let n = 0;
  for (let i = 1; i < e.lossMask.length; i++) n += e.lossMask[i]!;
  return n;
}

/**
 * Checks an example before training.
 * @param index the example's position in its list, named in the error
 * @param vocabSize ids must lie in [0, vocabSize)
 * @param maxSeqLen the model's context length (positions)
 * @throws RangeError naming the example when lengths differ, it is shorter than 2 or longer than maxSeqLen,
 *   an id is out of range, a mask entry is not 0/1, or it has no target token (fix or drop it in the data step)
 */
export function validateExample(e: TrainingExample, index: number, vocabSize: number, maxSeqLen: number): void {
  const where = `training example ${index}`;
  const n = e.inputIds.length;
  if (e.lossMask.length !== n) {
    throw new RangeError(`${where}: lossMask has ${e.lossMask.length} entries but inputIds has ${n}`);
  }
  if (n < 2) throw new RangeError(`${where}: needs at least 2 tokens, got ${n}`);
  if (n > maxSeqLen) {
    throw new RangeError(`${where}: ${n} tokens exceed the model's context of ${maxSeqLen}; truncate it first`);
  }
  for (let i = 0; i < n; i++) {
    const id = e.inputIds[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new RangeError(`${where}: token ${i} has id ${id}, outside [0, ${vocabSize})`);
    }
    const m = e.lossMask[i]!;
    if (m !== 0 && m !== 1) throw new RangeError(`${where}: lossMask[${i}] is ${m}; expected 0 or 1`);
  }
  if (targetTokenCount(e) === 0) {
    throw new RangeError(`${where}: no target token (lossMask is 0 after position 0); drop it or mark its answer`);
  }
}
