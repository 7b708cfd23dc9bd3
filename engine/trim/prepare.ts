/**
 * Turns an imported dataset into what a trim run consumes: token-level training examples (loss on the answer /
 * response tokens only; on every token for raw text) and, per evaluation split, either multiple-choice items
 * (mcq, yes/no: scored lm-evaluation-harness style) or token examples (instruction, chat, text: next-token
 * accuracy on the target tokens). DESIGN.md §1 "Performance P by task type".
 */
import type { Tokenizer } from '../io/tokenizer.ts';
import {
  carveValidation, DatasetSplitError, encodeTrainingExample, toScoringExample, toTrainingExample, DEFAULT_TEMPLATES, type PromptTemplates,
  type NormalisedRecord, type ScoringExample, type Split, type TaskType,
} from '../data/index.ts';
import { fromEncoded, type TrainingExample } from '../train/example.ts';
import { deriveSeed, seededSample as sample } from '../random.ts';

/** How an evaluation split is scored. */
export type Evaluable =
  | { kind: 'choice'; items: ScoringExample[] }
  | { kind: 'tokens'; examples: TrainingExample[] };

/** A dataset ready for training and evaluation. */
export interface PreparedTask {
  taskType: TaskType;
  /** The metric P: 'acc' for mcq/yes-no, 'next_token_acc' for the others. */
  metric: 'acc' | 'next_token_acc';
  train: TrainingExample[];
  validation: Evaluable;
  test: Evaluable;
  /** Training examples whose context was cut from the left to fit the model. */
  truncated: number;
  /** What was done to the data that the user should know, e.g. a validation split carved from test. */
  notes: string[];
}

/** Options of prepareTask. */
export interface PrepareOptions {
  /** The model's context length in tokens. */
  maxSeqLen: number;
  /** Window length for raw text, in tokens (default 128). */
  windowTokens?: number;
  /** At most this many training examples (seeded sample; default all). */
  maxTrain?: number;
  /** At most this many validation / test items each (seeded sample; default all). */
  maxEval?: number;
  seed?: number;
  /** Prompt templates per task type (default DEFAULT_TEMPLATES; user edits go through resolveTemplates). */
  templates?: PromptTemplates;
}

/** Raw text: the split's records tokenized one after another and cut into windows, loss on every token. */
function textWindows(tokenizer: Tokenizer, records: NormalisedRecord[], window: number): TrainingExample[] {
  const stream: number[] = [];
  for (const r of records) if (r.task === 'text') stream.push(...tokenizer.encode(r.text, { addSpecialTokens: false }));
  const bos = tokenizer.bosId;
  const body = bos === null ? window : window - 1;
  const out: TrainingExample[] = [];
  for (let at = 0; at + body <= stream.length; at += body) {
    const ids = bos === null ? stream.slice(at, at + body) : [bos, ...stream.slice(at, at + body)];
    out.push({ inputIds: ids, lossMask: ids.map((_, i) => (i === 0 ? 0 : 1)) });
  }
  return out;
}

function tokenExamples(tokenizer: Tokenizer, records: NormalisedRecord[], options: PrepareOptions, counter: { truncated: number }): TrainingExample[] {
  if (records[0]?.task === 'text') return textWindows(tokenizer, records, options.windowTokens ?? 128);
  return records.map((r) => {
    const encoded = encodeTrainingExample(tokenizer, toTrainingExample(r, { tokenizer, templates: options.templates ?? DEFAULT_TEMPLATES }), options.maxSeqLen);
    if (encoded.fit.truncated) counter.truncated++;
    return fromEncoded(encoded);
  }).filter((e) => e.lossMask.slice(1).some((m) => m === 1));
}

/**
 * Prepares one split's records for evaluation (multiple-choice items, or token examples).
 * @param maxItems seeded sample size (default all)
 */
export function prepareEvaluable(tokenizer: Tokenizer, taskType: TaskType, records: NormalisedRecord[], options: PrepareOptions): Evaluable {
  const seed = options.seed ?? 0;
  if (taskType === 'mcq' || taskType === 'yesno') {
    return { kind: 'choice', items: sample(records.map((r) => toScoringExample(r as Parameters<typeof toScoringExample>[0], options.templates ?? DEFAULT_TEMPLATES)), options.maxEval, seed) };
  }
  return { kind: 'tokens', examples: sample(tokenExamples(tokenizer, records, options, { truncated: 0 }), options.maxEval, seed) };
}

/**
 * Prepares a dataset's records (with their splits) for a trim run. A dataset without validation records gets
 * some carved from its test (or train) split, seeded by `seed` (carveValidation; said in `notes`).
 * @throws DatasetSplitError naming the split, and why, when a split needed for training or evaluation is empty
 */
export function prepareTask(tokenizer: Tokenizer, taskType: TaskType, records: NormalisedRecord[], options: PrepareOptions): PreparedTask {
  const seed = options.seed ?? 0;
  const carved = carveValidation(records, deriveSeed(seed, 3));
  const bySplit = (s: Split) => carved.records.filter((r) => r.split === s);
  const counter = { truncated: 0 };
  const choice = taskType === 'mcq' || taskType === 'yesno';
  const evaluable = (s: Split, salt: number): Evaluable =>
    prepareEvaluable(tokenizer, taskType, bySplit(s), { ...options, seed: deriveSeed(seed, salt) });
  const train = sample(tokenExamples(tokenizer, bySplit('train'), options, counter), options.maxTrain, seed);
  const prepared: PreparedTask = {
    taskType, metric: choice ? 'acc' : 'next_token_acc', train,
    validation: evaluable('validation', 1), test: evaluable('test', 2), truncated: counter.truncated,
    notes: carved.note ? [carved.note] : [],
  };
  for (const [name, size] of [['train', train.length], ['validation', evalSize(prepared.validation)], ['test', evalSize(prepared.test)]] as const) {
    if (size > 0) continue;
    const records = bySplit(name).length;
    const why = records === 0 ? 'it has no record'
      : taskType === 'text' && name === 'train' ? `its text is shorter than one training window of ${options.windowTokens ?? 128} tokens`
        : `none of its ${records} record${records === 1 ? '' : 's'} fits the task and the model's ${options.maxSeqLen}-token context`;
    throw new DatasetSplitError(`the ${name} split has no usable example (${why}); a run needs at least one in each of train, validation ` +
      'and test: import a dataset with more records');
  }
  return prepared;
}

/** Number of items or examples of an Evaluable. */
export function evalSize(e: Evaluable): number {
  return e.kind === 'choice' ? e.items.length : e.examples.length;
}
