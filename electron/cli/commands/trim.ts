/** `trimllm trim`: fine-tune with progressive sub-layer dropping, with baselines and a report. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSeedComparison } from '../../../engine/report/seeds.ts';
import type { TrimReport } from '../../../engine/report/types.ts';
import { join, resolve } from 'node:path';
import { resolveTemplates } from '../../../engine/data/index.ts';
import { selectBackend, parseBackendName } from '../../../engine/backend/select.ts';
import { DEFAULT_TRIM_CONFIG, type BaselineName } from '../../../engine/trim/pipeline.ts';
import type { ImportanceMethod } from '../../../engine/trim/importance.ts';
import { parseVariants, type TrimVariants } from '../../../engine/trim/variants.ts';
import { createRun, closeDatabase, storageError } from '../../store/index.ts';
import { parse, required, UsageError } from '../args.ts';
import { CliTrimSettingsSchema, numericFlags } from '../validate.ts';
import { dataDir, openWorkspace } from '../workspace.ts';
import { registerModel } from './import-model.ts';
import { registerDataset } from './import-data.ts';
import { executeRun, type StoredRunConfig } from '../trim-job.ts';

/** Help text of the command. */
export const help = `trimllm trim --model M [--tokenizer T] --data D [--task T --map ...] [--report-dir DIR]
             [--target 0.5] [--param-ratio R] [--floor TAU] [--max-epochs 20] [--heal-epochs N] [--k 1]
             [--method both|calibration|activation] [--sparse-ratio 0.25] [--lr 1e-3] [--batch 8]
             [--calibration 48] [--seed 0] [--seeds N] [--variants soft-drop,distill,heal-sparse,lookahead=N]
             [--baselines full-finetune,sparse-finetune,random,top,bottom,block-influence,angular|none]
             [--baseline-epochs N] [--max-train N] [--max-eval N] [--window 128] [--templates FILE] [--data-dir DIR]
  Imports the model and dataset into the workspace, then trains one epoch at a time, dropping the k least
  important sub-layers after each (TrimLLM), until the target kept fraction (or parameter ratio, accuracy floor,
  max epochs); heals; measures base, baselines and every checkpoint on the test split; writes the report.
  Ctrl-C stops at the last checkpoint; continue with \`trimllm resume RUN\`. --templates FILE: a JSON object
  overriding prompt templates per task type, e.g. {"mcq": "Q: {question}\\nA:"} (placeholders are checked).
  --seeds N: N runs, seeds S..S+N-1, each reported in DIR/seed-S; DIR/seeds.md has mean ± sd over the seeds.
  --variants: named variants of the schedule (engine/trim/variants.ts, measured in engine/trim/EXPERIMENTS.md).`;

/** Numeric flags of the command → the settings field whose range they take (validate.ts). */
const TRIM_FLAGS = {
  target: 'target', 'param-ratio': 'paramRatio', floor: 'accuracyFloor', 'max-epochs': 'maxEpochs', 'heal-epochs': 'healEpochs',
  k: 'dropsPerEpoch', 'sparse-ratio': 'sparseRatio', lr: 'lr', batch: 'batchSize', calibration: 'calibrationSize', seed: 'seed',
  'baseline-epochs': 'baselineEpochs', 'max-train': 'maxTrain', 'max-eval': 'maxEval', window: 'windowTokens',
} as const;

const BASELINES: readonly BaselineName[] = DEFAULT_TRIM_CONFIG.baselines;

/**
 * Opens the workspace for a run.
 * @throws StorageError naming the database file when its folder is read-only or full
 */
function openForRun(dataDirFlag: string | undefined) {
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
    const result = await executeRun(db, runId, controller.signal, report.backend);
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

/**
 * Reads and validates a prompt-template file.
 * @throws UsageError naming the file when it is not JSON or a template is invalid
 */
function readTemplates(path: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--templates ${path}: ${(e as Error).message}`);
  }
  try {
    resolveTemplates(json);
  } catch (e) {
    throw new UsageError(`--templates ${path}: ${(e as Error).message}`);
  }
  return json as Record<string, string>;
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    model: { type: 'string' }, tokenizer: { type: 'string' }, data: { type: 'string' }, task: { type: 'string' },
    map: { type: 'string' }, 'report-dir': { type: 'string' }, target: { type: 'string' }, 'param-ratio': { type: 'string' },
    floor: { type: 'string' }, 'max-epochs': { type: 'string' }, 'heal-epochs': { type: 'string' }, k: { type: 'string' },
    method: { type: 'string' }, 'sparse-ratio': { type: 'string' }, lr: { type: 'string' }, batch: { type: 'string' },
    calibration: { type: 'string' }, seed: { type: 'string' }, baselines: { type: 'string' },
    'baseline-epochs': { type: 'string' }, 'max-train': { type: 'string' }, 'max-eval': { type: 'string' },
    window: { type: 'string' }, 'data-dir': { type: 'string' }, backend: { type: 'string' }, templates: { type: 'string' },
    variants: { type: 'string' }, seeds: { type: 'string' },
  });
  let variants: TrimVariants;
  try {
    variants = parseVariants(values.variants ?? '');
  } catch (e) {
    throw new UsageError(`--variants: ${(e as Error).message}`);
  }
  const templates = values.templates ? readTemplates(values.templates) : undefined;
  const method = (values.method ?? 'both') as ImportanceMethod;
  if (!['both', 'calibration', 'activation'].includes(method)) throw new UsageError('--method must be both, calibration or activation');
  const baselines = values.baselines === 'none' ? [] : (values.baselines?.split(',') ?? BASELINES);
  for (const b of baselines) if (!BASELINES.includes(b as BaselineName)) throw new UsageError(`unknown baseline "${b}": use ${BASELINES.join(', ')} or none`);
  const d = DEFAULT_TRIM_CONFIG;
  const n = numericFlags(CliTrimSettingsSchema, values, TRIM_FLAGS);
  const config: StoredRunConfig = {
    ...d,
    method,
    sparseRatio: n.sparseRatio ?? d.sparseRatio,
    dropsPerEpoch: n.dropsPerEpoch ?? d.dropsPerEpoch,
    targets: {
      keptFraction: n.target ?? d.targets.keptFraction ?? 0.5,
      maxEpochs: n.maxEpochs ?? d.targets.maxEpochs,
      ...(n.paramRatio !== undefined ? { paramRatio: n.paramRatio } : {}),
      ...(n.accuracyFloor !== undefined ? { accuracyFloor: n.accuracyFloor } : {}),
    },
    ...(n.healEpochs !== undefined ? { healEpochs: n.healEpochs } : {}),
    lr: n.lr ?? d.lr,
    microBatchSize: n.batchSize ?? d.microBatchSize,
    calibrationSize: n.calibrationSize ?? d.calibrationSize,
    seed: n.seed ?? d.seed,
    baselines: baselines as BaselineName[],
    variants,
    ...(n.baselineEpochs !== undefined ? { baselineEpochs: n.baselineEpochs } : {}),
    limits: { maxTrain: n.maxTrain ?? 400, maxEval: n.maxEval ?? 200, windowTokens: n.windowTokens ?? 128 },
    reportDir: values['report-dir'] ? resolve(values['report-dir']) : null,
    ...(templates ? { templates } : {}),
  };
  const modelPath = required(values.model, 'model');
  const dataPath = required(values.data, 'data');
  const seeds = values.seeds === undefined ? 1 : Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) throw new UsageError(`--seeds must be a whole number from 1 to 100, got ${values.seeds}`);
  if (seeds > 1 && !config.reportDir) throw new UsageError('--seeds N needs --report-dir (each seed writes DIR/seed-S, the spread goes to DIR/seeds.md)');
  await selectBackend(values.backend ? parseBackendName(values.backend) : undefined);
  const db = openForRun(values['data-dir']);
  const runIds: number[] = [];
  const perSeed = (i: number): StoredRunConfig => seeds === 1 ? config
    : { ...config, seed: config.seed + i, reportDir: join(config.reportDir!, `seed-${config.seed + i}`) };
  try {
    const modelId = await registerModel(db, modelPath, { ...(values.tokenizer ? { tokenizer: values.tokenizer } : {}), reuse: true });
    const datasetId = await registerDataset(db, dataPath, { ...values, reuse: true });
    for (let i = 0; i < seeds; i++) {
      runIds.push(createRun(db, { modelId, datasetId, config: perSeed(i), seed: config.seed + i }));
      console.error(`run ${runIds.at(-1)} created (seed ${config.seed + i})`);
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
