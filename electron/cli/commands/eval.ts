/** `trimllm eval`: acc/acc_norm (multiple choice, yes/no) or next-token accuracy and perplexity on a dataset. */
import { resolve } from 'node:path';
import { importDataset, parseMappingArgs, type Split, type TaskType } from '../../../engine/data/index.ts';
import { prepareEvaluable } from '../../../engine/trim/prepare.ts';
import { evaluateMultipleChoice } from '../../../engine/eval/multiple-choice.ts';
import { evaluateTextTokens } from '../../../engine/eval/text-tokens.ts';
import { runMatrix } from './eval-matrix.ts';
import { loadModelFromFlags, MODEL_OPTIONS, numberOption, parse, required, requireTokenizer, UsageError } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm eval (--model M | --checkpoint ID) --data PATH [--split test] [--task T --map ...]
              [--max N] [--seed 0] [--drop ...] [--json]
  Multiple-choice and yes/no data: acc and acc_norm with standard errors (lm-evaluation-harness conventions,
  prompt "Question: {question}\\nAnswer:" scored against each full choice). Instruction, chat and text data:
  next-token accuracy on the target tokens and perplexity.
trimllm eval [--checkpoint 3,7,9] [--model M,...] --data D1,D2 [--split test] [--max N]
              [--json | --format table] [--output-lm-eval DIR] [--data-dir DIR]
  A matrix in the workspace: every model (checkpoint ids; model ids or paths) on every dataset (ids or paths,
  imported once), one row per model × dataset with --json, else models as rows and datasets as columns, cells
  "acc ± stderr". Results are stored; a cell already evaluated (same model, dataset, split, prompt template and
  --max) is reused, so running a killed command again resumes it. --output-lm-eval writes one
  lm-evaluation-harness results file (results/versions/config) per model.`;

/**
 * Whether the command is the workspace matrix form: checkpoints, stored ids, several models or datasets, or a
 * matrix output flag (--drop keeps the single-file form).
 */
function isMatrix(v: { checkpoint?: string; model?: string; data?: string; format?: string; 'output-lm-eval'?: string; drop?: string }): boolean {
  if (v.drop) return false;
  const many = (s?: string) => (s ?? '').includes(',') || /^[1-9]\d*$/.test(s ?? '');
  return Boolean(v.checkpoint || v.format || v['output-lm-eval'] || many(v.model) || many(v.data));
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS, data: { type: 'string' }, split: { type: 'string', default: 'test' }, task: { type: 'string' },
    map: { type: 'string' }, max: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean', default: false },
    format: { type: 'string' }, 'output-lm-eval': { type: 'string' },
  });
  if (isMatrix(values)) {
    if (values.drop || values.seed) throw new UsageError('--drop and --seed apply only to `eval --model PATH --data PATH`');
    return runMatrix(values);
  }
  const split = values.split as Split;
  if (!['train', 'validation', 'test'].includes(split)) throw new UsageError('--split must be train, validation or test');
  if (values.map && !values.task) throw new UsageError('--map needs --task');
  const data = await importDataset(resolve(required(values.data, 'data')), {
    ...(values.task ? { task: values.task as TaskType } : {}),
    ...(values.map ? { mapping: parseMappingArgs(values.task!, values.map) } : {}),
  });
  const records = data.records.filter((r) => r.split === split);
  if (records.length === 0) throw new UsageError(`the ${split} split of ${values.data} is empty; choose another --split`);
  const loaded = await loadModelFromFlags(values);
  try {
    const tokenizer = requireTokenizer(loaded);
    const evaluable = prepareEvaluable(tokenizer, data.taskType, records, {
      maxSeqLen: loaded.model.config.maxSeqLen, maxEval: numberOption(values.max, 'max', 500), seed: numberOption(values.seed, 'seed', 0),
    });
    const onProgress = (done: number, total: number) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total}`);
    };
    let out: Record<string, unknown>;
    if (evaluable.kind === 'choice') {
      const r = await evaluateMultipleChoice(loaded.model, tokenizer, evaluable.items, { onProgress });
      out = { task: data.taskType, split, n: r.n, acc: r.acc, acc_stderr: r.accStderr, acc_norm: r.accNorm, acc_norm_stderr: r.accNormStderr, truncated: r.truncated };
    } else {
      const r = await evaluateTextTokens(loaded.model, evaluable.examples, { onProgress });
      out = { task: data.taskType, split, examples: r.examples, tokens: r.tokens, next_token_acc: r.accuracy, perplexity: r.perplexity };
    }
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (values.json) console.log(JSON.stringify(out));
    else for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(16)}${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v)}`);
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
