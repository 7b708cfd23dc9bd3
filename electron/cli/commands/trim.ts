/** `trimllm trim`: fine-tune with progressive sub-layer dropping, with baselines and a report. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSeedComparison } from '../../../engine/report/seeds.ts';
import type { TrimReport } from '../../../engine/report/types.ts';
import { join, resolve } from 'node:path';
import { selectBackend, parseBackendName } from '../../../engine/backend/select.ts';
import { checkFolderCreatable } from '../../../engine/io/folders.ts';
import { THREADS_ENV } from '../../../engine/parallel/threads.ts';
import { closeDatabase, storageError, type Database } from '../../store/index.ts';
import { createQueuedRun } from '../../app/run-jobs.ts';
import { parse, required, threadsFlag, UsageError } from '../args.ts';
import { SETTING_FLAG_OPTIONS, settingsFromFlags, settingsHelp } from '../settings-flags.ts';
import { dataDir, openWorkspace } from '../../app/workspace.ts';
import { registerModel } from '../../app/import-model.ts';
import { registerDataset } from '../../app/import-dataset.ts';
import { toRunConfig, type StoredRunConfig } from '../../app/run-config.ts';
import { stderrEvents } from './import-model.ts';
import { checkTaskFlags } from './import-data.ts';
import { ProgressLine } from '../progress.ts';
import { executeRun } from '../../app/execute-run.ts';

/** Help text of the command. */
export const help = `trimllm trim --model M [--tokenizer T] --data D [--task T --map ...] [--report-dir DIR] [--data-dir DIR]
             [--backend NAME] [run settings below]
  Imports the model and dataset into the workspace, then trains one round (epoch) at a time, removing the k least
  important sub-layers after each (TrimLLM), until the share to keep (or memory share, quality floor, most
  rounds) is reached; recovers (heals); measures base, baselines and every checkpoint on the test split; writes
  the report. Ctrl-C stops at the last checkpoint; continue with \`trimllm resume RUN\`.
  --threads N: worker threads for scans and training steps (default: the physical cores).
  --seeds N: N runs, seeds S..S+N-1, each reported in DIR/seed-S; DIR/seeds.md has mean ± sd over the seeds.
Run settings:
${settingsHelp()}`;

/**
 * Opens the workspace for a run.
 * @throws StorageError naming the database file when its folder is read-only or full
 */
export function openForRun(dataDirFlag: string | undefined) {
  try {
    return openWorkspace(dataDirFlag);
  } catch (e) {
    throw storageError(e, join(dataDir(dataDirFlag), 'trimllm.db')) ?? e;
  }
}

/** Runs a stored run with Ctrl-C wired to a clean stop; prints where the report is. */
export async function runWithSignals(dataDirFlag: string | undefined, runId: number, backendFlag?: string): Promise<number> {
  const report = await selectBackend(backendFlag ? parseBackendName(backendFlag) : undefined);
  const db = openForRun(dataDirFlag);
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nstopping at the next checkpoint (Ctrl-C again to quit now)\n');
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const line = new ProgressLine();
    const result = await executeRun(db, runId, controller.signal, report.backend, {
      onMessage: (text) => line.message(text),
      onProgress: (p) => line.update(p.phase, p.epoch, p.done, p.total, `loss ${p.loss.toFixed(3)}`),
    }).finally(() => line.done());
    if (!result) return 130;
    const dir = (result.config as { reportDir?: string | null }).reportDir;
    console.log(`run ${runId} completed${dir ? `; report: ${resolve(dir, 'report.md')}` : ''}`);
    return 0;
  } catch (e) {
    throw storageError(e, db.name) ?? e;
  } finally {
    process.off('SIGINT', onSigint);
    closeDatabase(db);
  }
}

/** The command's flags: what to trim, where, and every run setting (RUN_SETTINGS). */
export const TRIM_OPTIONS = {
  model: { type: 'string' }, tokenizer: { type: 'string' }, data: { type: 'string' }, task: { type: 'string' },
  map: { type: 'string' }, 'report-dir': { type: 'string' }, 'data-dir': { type: 'string' }, backend: { type: 'string' },
  threads: { type: 'string' }, seeds: { type: 'string' },
  ...SETTING_FLAG_OPTIONS,
} as const;

/**
 * The stored config of the run the flags describe (the same toRunConfig as the API's runs.start).
 * @throws UsageError naming a flag out of range
 */
export function configFromFlags(values: Record<string, unknown>): StoredRunConfig {
  const dir = values['report-dir'];
  if (dir === '') throw new UsageError('--report-dir needs a folder');
  return toRunConfig(settingsFromFlags(values), typeof dir === 'string' ? resolve(dir) : null);
}

/**
 * Parses the flags of `trim` (also taken by `plan`) into the run's stored config; --threads sets TRIMLLM_THREADS
 * (the machine's worker count, not a setting of the run).
 * @throws UsageError on a bad or missing flag, or a --report-dir that cannot be created
 */
export function parseTrimArgs(argv: string[]) {
  const { values } = parse(argv, TRIM_OPTIONS);
  if (values.threads !== undefined) process.env[THREADS_ENV] = String(threadsFlag(values.threads));
  const config = configFromFlags(values);
  checkTaskFlags(values);
  if (config.reportDir) {
    try {
      checkFolderCreatable(config.reportDir); // before hours of training, not when the report is written
    } catch (e) {
      throw new UsageError(`--report-dir ${(e as Error).message}`);
    }
  }
  const modelPath = required(values.model, 'model');
  const dataPath = required(values.data, 'data');
  return { values, config, modelPath, dataPath };
}

/** Imports (or finds) the model and the dataset of parsed trim flags in the workspace. */
export async function registerInputs(db: Database, parsed: ReturnType<typeof parseTrimArgs>): Promise<{ modelId: number; datasetId: number }> {
  const { values } = parsed;
  const modelId = await registerModel(db, parsed.modelPath, { ...(values.tokenizer ? { tokenizer: values.tokenizer } : {}), reuse: true }, stderrEvents);
  const datasetId = await registerDataset(db, parsed.dataPath, {
    ...(values.task ? { task: values.task } : {}), ...(values.map ? { map: values.map } : {}), reuse: true,
  }, stderrEvents);
  return { modelId, datasetId };
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseTrimArgs(argv);
  const { values, config } = parsed;
  const seeds = values.seeds === undefined ? 1 : Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) throw new UsageError(`--seeds must be a whole number from 1 to 100, got ${values.seeds}`);
  if (seeds > 1 && !config.reportDir) throw new UsageError('--seeds N needs --report-dir (each seed writes DIR/seed-S, the spread goes to DIR/seeds.md)');
  await selectBackend(values.backend ? parseBackendName(values.backend) : undefined);
  const db = openForRun(values['data-dir']);
  const runIds: number[] = [];
  const perSeed = (i: number): StoredRunConfig => seeds === 1 ? config
    : { ...config, seed: config.seed + i, reportDir: join(config.reportDir!, `seed-${config.seed + i}`) };
  try {
    const { modelId, datasetId } = await registerInputs(db, parsed);
    for (let i = 0; i < seeds; i++) {
      runIds.push(createQueuedRun(db, modelId, datasetId, perSeed(i)));
      console.error(`run ${runIds.at(-1)} created${seeds > 1 ? ` (seed ${config.seed + i})` : ''}`);
    }
  } finally {
    closeDatabase(db);
  }
  for (const runId of runIds) {
    const code = await runWithSignals(values['data-dir'], runId, values.backend);
    if (code !== 0) return code;
  }
  if (seeds > 1) {
    const reports = runIds.map((_, i) => JSON.parse(readFileSync(join(perSeed(i).reportDir!, 'report.json'), 'utf8')) as TrimReport);
    const out = join(config.reportDir!, 'seeds.md');
    writeFileSync(out, renderSeedComparison([{ variant: 'this run', reports }], `${seeds} seeds: mean ± sd`));
    console.log(`spread over ${seeds} seeds: ${out}`);
  }
  return 0;
}
