/**
 * `trimllm eval` over the workspace (issue 18): models (--checkpoint ids, --model ids or paths) × datasets (--data
 * ids or paths) × one split, through the evaluation-job use case (electron/app/evaluation-job.ts), so cells
 * already evaluated are reused and a killed command resumes by running it again. Prints one JSON line per cell
 * (--json) or the matrix (models as rows, datasets as columns, `acc ± stderr`); --output-lm-eval DIR writes one
 * lm-evaluation-harness results file per model.
 */
import { writeFileSync } from 'node:fs';
import { makeFolder } from '../../../engine/io/folders.ts';
import { join } from 'node:path';
import { parseBackendName, selectBackend } from '../../../engine/backend/select.ts';
import { closeDatabase, SPLITS, type Split } from '../../store/index.ts';
import { runEvaluationJob, type EvalModelRef, type EvaluationRequest, type PlannedCell } from '../../app/evaluation-job.ts';
import { lmEvalTaskName, toLmEvalResults } from '../../app/lm-eval-results.ts';
import { UsageError } from '../args.ts';
import { announcePhase } from '../../app/phase-announce.ts';
import { openWorkspace } from '../../app/workspace.ts';
import { registerModel } from '../../app/import-model.ts';
import { registerDataset } from '../../app/import-dataset.ts';
import { stderrEvents } from './import-model.ts';

/** The flags of the matrix form of `trimllm eval`. */
export interface MatrixFlags {
  checkpoint?: string;
  model?: string;
  data?: string;
  split: string;
  max?: string;
  task?: string;
  map?: string;
  tokenizer?: string;
  backend?: string;
  'data-dir'?: string;
  json: boolean;
  format?: string;
  'output-lm-eval'?: string;
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
const isId = (s: string): boolean => /^[1-9]\d*$/.test(s);

/** Formats a fraction with its standard error, e.g. `0.310 ± 0.046` (stderr left out when there is none). */
export function formatCell(value: number, stderr: number | null): string {
  return stderr === null ? value.toFixed(3) : `${value.toFixed(3)} ± ${stderr.toFixed(3)}`;
}

/** The matrix as text: one row per model, one column per dataset, cells `acc ± stderr`. */
export function matrixTable(cells: readonly PlannedCell[]): string {
  const rows = [...new Set(cells.map((c) => c.modelLabel))];
  const cols = [...new Set(cells.map((c) => c.datasetName))];
  const text = (r: string, c: string) => {
    const cell = cells.find((x) => x.modelLabel === r && x.datasetName === c);
    return cell?.stored ? formatCell(cell.stored.value, cell.stored.stderr) : '—';
  };
  const grid = [['model', ...cols], ...rows.map((r) => [r, ...cols.map((c) => text(r, c))])];
  const widths = grid[0]!.map((_, i) => Math.max(...grid.map((line) => line[i]!.length)));
  return grid.map((line) => line.map((s, i) => s.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** One JSON line of --json: a cell of the matrix. */
function jsonRow(c: PlannedCell, reused: boolean): Record<string, unknown> {
  const s = c.stored!;
  return {
    model: c.modelLabel, model_id: c.key.modelId, checkpoint_id: c.key.checkpointId, dataset: c.datasetName,
    dataset_id: c.key.datasetId, split: c.key.split, n: s.recordCount, metric: s.metric, value: s.value, stderr: s.stderr,
    ...s.metrics, truncated: s.truncated, backend: s.backend, seconds: s.seconds, reused,
  };
}

/**
 * Runs the matrix form; returns the exit code (1 when a cell could not be evaluated).
 * @throws UsageError for a bad flag; the use case's errors naming the model, checkpoint or dataset
 */
export async function runMatrix(values: MatrixFlags): Promise<number> {
  const split = values.split as Split;
  if (!SPLITS.includes(split)) throw new UsageError('--split must be train, validation or test');
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new UsageError(`--max must be a positive whole number, got "${values.max}"`);
  if (values.format !== undefined && !['table', 'json'].includes(values.format)) throw new UsageError('--format must be table or json');
  const backend = await selectBackend(values.backend ? parseBackendName(values.backend) : undefined);
  const db = openWorkspace(values['data-dir']);
  try {
    const models: EvalModelRef[] = [];
    for (const m of list(values.model)) {
      models.push({ modelId: isId(m) ? Number(m) : await registerModel(db, m, { reuse: true, ...(values.tokenizer ? { tokenizer: values.tokenizer } : {}) }, stderrEvents) });
    }
    for (const c of list(values.checkpoint)) {
      if (!isId(c)) throw new UsageError(`--checkpoint takes checkpoint ids (see \`trimllm runs\`), got "${c}"`);
      models.push({ checkpointId: Number(c) });
    }
    if (models.length === 0) throw new UsageError('missing --model or --checkpoint');
    const datasetIds: number[] = [];
    for (const d of list(values.data)) {
      datasetIds.push(isId(d) ? Number(d) : await registerDataset(db, d, {
        reuse: true, ...(values.task ? { task: values.task } : {}), ...(values.map ? { map: values.map } : {}),
      }, stderrEvents));
    }
    if (datasetIds.length === 0) throw new UsageError('missing --data (dataset ids or paths, comma-separated)');
    const request: EvaluationRequest = { models, datasetIds, split, ...(max !== undefined ? { maxRecords: max } : {}) };
    const reused = new Set<PlannedCell>();
    const started = new Set<PlannedCell>();
    const out = await runEvaluationJob(db, request, {
      backend: backend.backend,
      onProgress: (p) => {
        const what = `${p.cell.modelLabel} × ${p.cell.datasetName}`;
        if (p.phase === 'reused') reused.add(p.cell);
        if (p.phase === 'scoring' && !started.has(p.cell)) announcePhase('eval-cell', what);
        if (p.phase === 'scoring') started.add(p.cell);
        if (p.phase === 'stored') announcePhase('eval-cell-stored', what);
        if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${p.cellsDone}/${p.cellsTotal} ${what} ${p.itemsDone}/${p.itemsTotal}`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    console.error(`${out.computed} evaluated, ${out.reused} reused from earlier evaluations (backend ${backend.backend})`);
    if (values.json || values.format === 'json') for (const c of out.cells) console.log(JSON.stringify(jsonRow(c, reused.has(c))));
    else console.log(matrixTable(out.cells));
    if (values['output-lm-eval']) writeLmEval(values['output-lm-eval'], out.cells, backend.backend);
    return out.status === 'completed' ? 0 : 1;
  } finally {
    closeDatabase(db);
  }
}

/** Writes one harness results file per model row: DIR/<model label>.json. */
function writeLmEval(dir: string, cells: readonly PlannedCell[], device: string): void {
  makeFolder(dir);
  for (const label of new Set(cells.map((c) => c.modelLabel))) {
    const file = join(dir, `${lmEvalTaskName(label)}.json`);
    writeFileSync(file, `${JSON.stringify(toLmEvalResults(cells.filter((c) => c.modelLabel === label), device), null, 2)}\n`);
    console.error(`lm-eval results: ${file}`);
  }
}
