/**
 * Repository of evaluation-matrix cells (schema version 8): one model or checkpoint evaluated on one stored
 * dataset's split with one prompt template and record limit, stored as an `evaluations` row of task MATRIX_TASK.
 * The cell key is unique (index evaluations_matrix_cell), so a cell is computed once and reused after that.
 */
import { stmt, type Database } from './driver.ts';
import type { Split } from './datasets.ts';
import { fromJsonText, nowSeconds, toJsonText } from './values.ts';

/** The task name of evaluation-matrix cells. */
export const MATRIX_TASK = 'matrix';

/** What identifies a cell: the same key is never evaluated twice. */
export interface CellKey {
  /** The base model (for a checkpoint: its run's base model). */
  modelId: number;
  /** The checkpoint, or null for the base model itself. */
  checkpointId: number | null;
  datasetId: number;
  split: Split;
  /** The prompt templates the records were formatted with (JSON text of the fields the task type uses). */
  template: string;
  /** At most this many records (a seeded sample), or null for the whole split. */
  recordLimit: number | null;
}

/** A measured cell. */
export interface NewCell extends CellKey {
  /** Headline metric: 'acc' (multiple choice, yes/no) or 'next_token_acc' (instruction, chat, text). */
  metric: string;
  /** The metric's value, a fraction in [0, 1]. */
  value: number;
  /** Its standard error, or null when it has none (fewer than 2 records; token-level metrics). */
  stderr: number | null;
  /** Records (items or examples) scored. */
  recordCount: number;
  /** Records whose context was cut from the left to fit the model. */
  truncated: number;
  /** tfjs backend that computed it. */
  backend: string;
  /** Wall-clock seconds the evaluation took. */
  seconds: number;
  /** Every metric measured, e.g. `{acc, acc_stderr, acc_norm, acc_norm_stderr}` (JSON; NaN is stored as null). */
  metrics: Record<string, number | null>;
}

/** A stored cell. */
export interface CellRow extends NewCell {
  id: number;
  /** Seconds since the Unix epoch. */
  createdAt: number;
}

interface Row {
  id: number; modelId: number; checkpointId: number | null; datasetId: number; split: Split; template: string;
  recordLimit: number | null; metric: string; value: number; stderr: number | null; recordCount: number;
  truncated: number; backend: string; seconds: number; metrics: string; createdAt: number;
}

const COLUMNS = `id, model_id AS modelId, checkpoint_id AS checkpointId, dataset_id AS datasetId, split, template,
  record_limit AS recordLimit, metric, value, stderr, record_count AS recordCount, truncated, backend, seconds,
  metrics, created_at AS createdAt`;

const toCell = (r: Row): CellRow => ({ ...r, metrics: fromJsonText(r.metrics, `metrics of evaluation ${r.id}`) as CellRow['metrics'] });

/** The stored cell with this key, if any. */
export function findCell(db: Database, key: CellKey): CellRow | undefined {
  const row = stmt<Row>(
    db,
    `SELECT ${COLUMNS} FROM evaluations
     WHERE task = '${MATRIX_TASK}' AND model_id = ? AND ifnull(checkpoint_id, 0) = ? AND dataset_id = ? AND split = ?
       AND template = ? AND ifnull(record_limit, 0) = ?`,
  ).get(key.modelId, key.checkpointId ?? 0, key.datasetId, key.split, key.template, key.recordLimit ?? 0);
  return row ? toCell(row) : undefined;
}

const finiteOrNull = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

/**
 * Stores a cell in one IMMEDIATE transaction; when a cell with the same key is already stored (another job
 * finished it first), keeps that one.
 * @returns the stored cell (the new one, or the one already there)
 * @throws Error when value is not a finite number; SqliteError (FOREIGN KEY) for an unknown model, checkpoint or
 *   dataset
 */
export function storeCell(db: Database, cell: NewCell): CellRow {
  if (!Number.isFinite(cell.value)) throw new Error(`evaluation value of dataset ${cell.datasetId} is not a number`);
  const metrics = Object.fromEntries(Object.entries(cell.metrics).map(([k, v]) => [k, finiteOrNull(v)]));
  return db.transaction(() => {
    stmt(
      db,
      `INSERT INTO evaluations (model_id, checkpoint_id, dataset_id, split, task, record_count, metrics, created_at,
                                metric, value, stderr, truncated, template, backend, seconds, record_limit)
       VALUES (?, ?, ?, ?, '${MATRIX_TASK}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(cell.modelId, cell.checkpointId, cell.datasetId, cell.split, cell.recordCount, toJsonText(metrics, 'evaluation metrics'),
      nowSeconds(), cell.metric, cell.value, finiteOrNull(cell.stderr), cell.truncated, cell.template, cell.backend,
      cell.seconds, cell.recordLimit);
    return findCell(db, cell)!;
  }).immediate();
}

/** Filters of listCells; all optional, combined with AND. */
export interface CellFilter {
  /** Cells of these checkpoints (and of base models, when `baseModelIds` is given too). */
  checkpointIds?: readonly number[];
  /** Cells of these base models themselves (checkpoint null). */
  baseModelIds?: readonly number[];
  datasetIds?: readonly number[];
  /** Cells of the checkpoints of this run and of its base model. */
  runId?: number;
}

/** Stored cells matching the filter, oldest first. */
export function listCells(db: Database, filter: CellFilter = {}): CellRow[] {
  const json = (ids: readonly number[] | undefined) => (ids ? JSON.stringify(ids) : null);
  return stmt<Row>(
    db,
    `SELECT ${COLUMNS} FROM evaluations e
     WHERE e.task = '${MATRIX_TASK}'
       AND (@cps IS NULL AND @bases IS NULL
            OR e.checkpoint_id IN (SELECT value FROM json_each(@cps))
            OR (e.checkpoint_id IS NULL AND e.model_id IN (SELECT value FROM json_each(@bases))))
       AND (@datasets IS NULL OR e.dataset_id IN (SELECT value FROM json_each(@datasets)))
       AND (@runId IS NULL
            OR e.checkpoint_id IN (SELECT id FROM checkpoints WHERE run_id = @runId)
            OR (e.checkpoint_id IS NULL AND e.model_id = (SELECT model_id FROM runs WHERE id = @runId)))
     ORDER BY e.id`,
  )
    .all({ cps: json(filter.checkpointIds), bases: json(filter.baseModelIds), datasets: json(filter.datasetIds), runId: filter.runId ?? null })
    .map(toCell);
}
