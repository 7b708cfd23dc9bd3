/**
 * Small helpers shared by the CLI commands: typed option parsing on top of node:util parseArgs, and the
 * options every model-using command takes (--model, --tokenizer, --drop, --backend).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { selectBackend, parseBackendName } from '../../engine/backend/select.ts';
import { loadModel, type LoadedModel } from '../../engine/io/load-model.ts';
import { parseThreads } from '../../engine/parallel/threads.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';
import type { Tokenizer } from '../../engine/io/tokenizer.ts';
import { loadCheckpointModel } from '../app/checkpoint-model.ts';
import { closeDatabase } from '../store/index.ts';
import { openWorkspace } from '../app/workspace.ts';

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options shared by every command that loads a model. */
export const MODEL_OPTIONS = {
  model: { type: 'string' },
  checkpoint: { type: 'string' },
  'data-dir': { type: 'string' },
  tokenizer: { type: 'string' },
  drop: { type: 'string' },
  backend: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/**
 * Joins `--flag -0.5` into `--flag=-0.5` for string options, so a negative number is read as the flag's value
 * (and then range-checked) instead of node:util's "argument is ambiguous".
 */
export function joinNegativeValues(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** parseArgs with strict checking; unknown flags become a UsageError naming the flag. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * The `--threads N` flag (engine/parallel/threads.ts: main thread + N − 1 workers).
 * @throws UsageError when N is not an integer from 1 to MAX_THREADS
 */
export function threadsFlag(value: string): number {
  try {
    return parseThreads(value, '--threads');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A required string option. @throws UsageError naming the flag when absent. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing required option --${flag}`);
  return value;
}

/** Parses a number option. @throws UsageError naming the flag when it is not a finite number. */
export function numberOption(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got "${value}"`);
  return n;
}

async function loadFromCheckpoint(id: string, dataDirFlag: string | undefined): Promise<LoadedModel> {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--checkpoint must be a checkpoint id, got "${id}"`);
  const db = openWorkspace(dataDirFlag);
  try {
    return await loadCheckpointModel(db, n);
  } finally {
    closeDatabase(db);
  }
}

/**
 * Selects the backend and loads --model (a path) or --checkpoint (an id in the workspace of --data-dir), with
 * --tokenizer and --drop applied.
 * @throws UsageError when neither is given; InputFileError for unreadable files
 */
export async function loadModelFromFlags(values: {
  model?: string;
  checkpoint?: string;
  'data-dir'?: string;
  tokenizer?: string;
  drop?: string;
  backend?: string;
}): Promise<LoadedModel> {
  await selectBackend(values.backend ? parseBackendName(values.backend) : undefined);
  if (!values.model && !values.checkpoint) throw new UsageError('missing --model PATH or --checkpoint ID');
  const loaded = values.checkpoint
    ? await loadFromCheckpoint(values.checkpoint, values['data-dir'])
    : await loadModel(required(values.model, 'model'), values.tokenizer ? { tokenizer: values.tokenizer } : {});
  if (values.drop) {
    const names = values.drop.split(',').filter((s) => s.trim() !== '');
    try {
      loaded.model.keepMask = keepMaskWithout(loaded.model.config.nLayers, names);
    } catch (e) {
      loaded.model.dispose();
      throw new UsageError(`--drop: ${(e as Error).message}`);
    }
  }
  return loaded;
}

/** The tokenizer of a loaded model. @throws UsageError asking for --tokenizer when there is none. */
export function requireTokenizer(loaded: LoadedModel): Tokenizer {
  if (!loaded.tokenizer) {
    throw new UsageError(`no tokenizer found beside ${loaded.path}; pass --tokenizer FILE`);
  }
  return loaded.tokenizer;
}
