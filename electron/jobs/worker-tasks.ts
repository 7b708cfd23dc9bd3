/**
 * Short tasks run in the utility worker so that loading tfjs, validating model weights and parsing large
 * dataset files never block the server's event loop:
 *
 *   doctor        {}                                   → {backend, skipped, versions, threads}
 *   import-model  {path, tokenizer?, name?}            → {id}   (app/import-model.ts registerModel; the same file again, unnamed, reuses its entry)
 *   import-data   {path, task?, map?, name?}           → {id}   (app/import-dataset.ts registerDataset)
 *   preview-data  {path, task?, map?}                  → the contract's datasets.preview response (nothing stored)
 *   estimate-run  {modelId, datasetId, config}         → the contract's runs.estimate response (app/run-plan.ts; nothing stored)
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { selectBackend } from '../../engine/backend/select.ts';
import { importDataset, parseMappingArgs, TASK_TYPES, type TaskType } from '../../engine/data/index.ts';
import { registerModel } from '../app/import-model.ts';
import { registerDataset } from '../app/import-dataset.ts';
import { estimateView, planStoredRun } from '../app/run-plan.ts';
import type { StoredRunConfig } from '../app/run-config.ts';
import { getDataset, getModel } from '../store/index.ts';
import type { TaskJobSpec } from './protocol.ts';
import type { JobContext, JobOutcome } from './worker-context.ts';

const require = createRequire(import.meta.url);

/** Records shown by a dataset preview. */
export const PREVIEW_SAMPLE = 20;
/** Skipped records listed by a dataset preview. */
export const PREVIEW_SKIPPED = 200;

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

async function doctor() {
  const report = await selectBackend();
  const versions: Record<string, string> = { node: process.versions.node, tfjs: report.tfjsVersion };
  for (const p of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'better-sqlite3-multiple-ciphers']) {
    versions[p] = packageVersion(p);
  }
  const skipped: Record<string, string> = {};
  for (const [k, v] of Object.entries(report.skipped)) if (v !== undefined) skipped[k] = v;
  return { backend: report.nativePackage ? `${report.backend} (${report.nativePackage})` : report.backend, skipped, versions, threads: availableParallelism() };
}

async function previewData(args: Record<string, unknown>) {
  const task = str(args.task);
  const map = str(args.map);
  if (task && !TASK_TYPES.includes(task as TaskType)) throw new Error(`task must be one of ${TASK_TYPES.join(', ')}`);
  if (map && !task) throw new Error('a field map needs a task type (the task the fields map onto)');
  const r = await importDataset(resolve(String(args.path)), {
    ...(task ? { task: task as TaskType } : {}),
    ...(map ? { mapping: parseMappingArgs(task!, map) } : {}),
  });
  return {
    taskType: r.taskType, mapping: r.mapping, notes: [...r.notes, ...r.splits.warnings], total: r.total,
    counts: r.splits.counts, sample: r.records.slice(0, PREVIEW_SAMPLE),
    skipped: r.skipped.slice(0, PREVIEW_SKIPPED).map((s) => ({ file: s.file, ...(s.line !== undefined ? { line: s.line } : {}), row: s.row, field: s.field, reason: s.reason })),
  };
}

/**
 * Runs one task.
 * @throws the task's own errors (a missing file, a model that does not load, a mapping that does not fit)
 */
export async function runTask(ctx: JobContext, spec: TaskJobSpec): Promise<JobOutcome> {
  const a = spec.args;
  switch (spec.task) {
    case 'doctor':
      return { status: 'completed', result: await doctor() };
    case 'preview-data':
      return { status: 'completed', result: await previewData(a) };
    case 'import-model': {
      await selectBackend();
      const tokenizer = str(a.tokenizer);
      const name = str(a.name);
      const id = await registerModel(ctx.db(), String(a.path), { ...(tokenizer ? { tokenizer } : {}), ...(name ? { name } : {}), reuse: name === undefined });
      return { status: 'completed', result: { id } };
    }
    case 'import-data': {
      const options = { task: str(a.task), map: str(a.map), name: str(a.name) };
      const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as { task?: string; map?: string; name?: string };
      const id = await registerDataset(ctx.db(), String(a.path), clean);
      return { status: 'completed', result: { id } };
    }
    case 'estimate-run': {
      await selectBackend();
      const db = ctx.db();
      const model = getModel(db, Number(a.modelId));
      const dataset = getDataset(db, Number(a.datasetId));
      if (!model || !dataset) throw new Error(`no model ${String(a.modelId)} or no dataset ${String(a.datasetId)} in the workspace`);
      return { status: 'completed', result: estimateView(await planStoredRun(db, model, dataset, a.config as StoredRunConfig)) };
    }
    default:
      throw new Error(`unknown task "${String((spec as { task: unknown }).task)}"`);
  }
}
