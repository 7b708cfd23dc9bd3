/**
 * Repository of measurements of a base model or a checkpoint: evaluations (task performance on a dataset) and
 * benchmarks (throughput and memory).
 */
import { stmt, type Database } from './driver.ts';
import type { Split } from './datasets.ts';
import { fromJsonText, nowSeconds, rowId, toJsonText } from './values.ts';

/** An evaluation result to store. */
export interface NewEvaluation {
  /** The base model evaluated (or the base of the checkpoint). */
  modelId: number;
  /** The checkpoint evaluated; null or absent for the base model itself. */
  checkpointId?: number | null;
  /** The trim run it was measured for (its base model and baselines); null or absent otherwise. */
  runId?: number | null;
  /** The dataset evaluated on, when it is a stored dataset. */
  datasetId?: number | null;
  split?: Split | null;
  /** What was measured, e.g. 'mcq', 'perplexity', 'next-token'. */
  task: string;
  /** Number of records scored. */
  recordCount: number;
  /** The results, e.g. `{acc, acc_norm, acc_stderr, acc_norm_stderr}` or `{perplexity}` (any JSON value). */
  metrics: unknown;
}

/** A stored evaluation. */
export interface EvaluationRow {
  id: number;
  modelId: number;
  checkpointId: number | null;
  /** The trim run it was measured for, or null. */
  runId: number | null;
  /** null when the dataset was evaluated from a file, or has since been deleted. */
  datasetId: number | null;
  split: Split | null;
  task: string;
  recordCount: number;
  metrics: unknown;
  /** Seconds since the Unix epoch. */
  createdAt: number;
}

/**
 * Stores an evaluation result.
 * @returns its id.
 * @throws Error when metrics have no JSON form (NaN included); SqliteError (FOREIGN KEY) for an unknown model,
 *   checkpoint or dataset.
 */
export function insertEvaluation(db: Database, e: NewEvaluation): number {
  return rowId(
    stmt(
      db,
      `INSERT INTO evaluations (model_id, checkpoint_id, run_id, dataset_id, split, task, record_count, metrics, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(e.modelId, e.checkpointId ?? null, e.runId ?? null, e.datasetId ?? null, e.split ?? null, e.task, e.recordCount,
      toJsonText(e.metrics, 'evaluation metrics'), nowSeconds()).lastInsertRowid,
  );
}

/** Filters of listEvaluations; all optional, combined with AND. */
export interface EvaluationFilter {
  modelId?: number;
  /** A checkpoint id, or null for evaluations of base models only. */
  checkpointId?: number | null;
  /** Evaluations of the checkpoints of this run, and those stored for the run itself (runId). */
  runId?: number;
  /** Only this task (e.g. COMPARISON_TASK). */
  task?: string;
  datasetId?: number;
}

/** Evaluations matching the filter, oldest first. */
export function listEvaluations(db: Database, filter: EvaluationFilter = {}): EvaluationRow[] {
  return stmt<Omit<EvaluationRow, 'metrics'> & { metrics: string }>(
    db,
    `SELECT e.id, e.model_id AS modelId, e.checkpoint_id AS checkpointId, e.run_id AS runId, e.dataset_id AS datasetId, e.split,
            e.task, e.record_count AS recordCount, e.metrics, e.created_at AS createdAt
     FROM evaluations e LEFT JOIN checkpoints c ON c.id = e.checkpoint_id
     WHERE (@modelId IS NULL OR e.model_id = @modelId)
       AND (@anyCheckpoint OR e.checkpoint_id IS @checkpointId)
       AND (@runId IS NULL OR c.run_id = @runId OR e.run_id = @runId)
       AND (@datasetId IS NULL OR e.dataset_id = @datasetId)
       AND (@task IS NULL OR e.task = @task)
     ORDER BY e.id`,
  )
    .all({
      modelId: filter.modelId ?? null,
      anyCheckpoint: filter.checkpointId === undefined ? 1 : 0,
      checkpointId: filter.checkpointId ?? null,
      runId: filter.runId ?? null,
      datasetId: filter.datasetId ?? null,
      task: filter.task ?? null,
    })
    .map((r) => ({ ...r, metrics: fromJsonText(r.metrics, `metrics of evaluation ${r.id}`) }));
}

/** The task name of a run's comparison entries (report entries measured side by side at the end of a run). */
export const COMPARISON_TASK = 'comparison';

/** One model of a run's comparison: its report entry (any JSON value) and the checkpoint it is, if any. */
export interface ComparisonEntry {
  checkpointId: number | null;
  /** The report entry: name, kind, kept, keptFraction, metric, performance, paramBytes, tokens/s. */
  entry: unknown;
}

/**
 * Replaces the comparison of run `runId` (its base model, baselines and TrimLLM checkpoints measured side by
 * side) with `entries`, in one transaction, as evaluations of task COMPARISON_TASK on the test split.
 * @throws Error when an entry has no JSON form; SqliteError (FOREIGN KEY) for an unknown run, model, checkpoint
 *   or dataset
 */
export function replaceRunComparison(
  db: Database,
  run: { runId: number; modelId: number; datasetId: number | null; recordCount: number },
  entries: readonly ComparisonEntry[],
): void {
  db.transaction(() => {
    stmt(db, 'DELETE FROM evaluations WHERE run_id = ? AND task = ?').run(run.runId, COMPARISON_TASK);
    for (const e of entries) {
      insertEvaluation(db, {
        modelId: run.modelId, checkpointId: e.checkpointId, runId: run.runId, datasetId: run.datasetId, split: 'test',
        task: COMPARISON_TASK, recordCount: run.recordCount, metrics: e.entry,
      });
    }
  }).immediate();
}

/** The comparison of run `runId` in the order it was stored (empty before the run completes). */
export function listRunComparison(db: Database, runId: number): ComparisonEntry[] {
  return stmt<{ checkpointId: number | null; metrics: string; id: number }>(
    db,
    'SELECT id, checkpoint_id AS checkpointId, metrics FROM evaluations WHERE run_id = ? AND task = ? ORDER BY id',
  )
    .all(runId, COMPARISON_TASK)
    .map((r) => ({ checkpointId: r.checkpointId, entry: fromJsonText(r.metrics, `metrics of evaluation ${r.id}`) }));
}

/** A benchmark result to store. */
export interface NewBenchmark {
  modelId: number;
  /** The checkpoint measured; null or absent for the base model. */
  checkpointId?: number | null;
  /** tfjs backend used. */
  backend: string;
  /** Median prefill throughput, tokens per second (batch 1). */
  prefillTokensPerSecond?: number | null;
  /** Median decode throughput with KV cache, tokens per second (batch 1). */
  decodeTokensPerSecond?: number | null;
  /** Parameter bytes of the model measured. */
  paramBytes?: number | null;
  /** Process peak resident set size, bytes. */
  peakRssBytes?: number | null;
  /** Anything else measured (prompt length, runs, FLOPs ratio…; any JSON value; default {}). */
  details?: unknown;
}

/** A stored benchmark. */
export interface BenchmarkRow {
  id: number;
  modelId: number;
  checkpointId: number | null;
  backend: string;
  prefillTokensPerSecond: number | null;
  decodeTokensPerSecond: number | null;
  paramBytes: number | null;
  peakRssBytes: number | null;
  details: unknown;
  /** Seconds since the Unix epoch. */
  createdAt: number;
}

/**
 * Stores a benchmark result.
 * @returns its id.
 * @throws Error when details have no JSON form; SqliteError (FOREIGN KEY) for an unknown model or checkpoint,
 *   (CHECK) for a negative throughput or size.
 */
export function insertBenchmark(db: Database, b: NewBenchmark): number {
  return rowId(
    stmt(
      db,
      `INSERT INTO benchmarks (model_id, checkpoint_id, backend, prefill_tokens_per_second, decode_tokens_per_second,
                               param_bytes, peak_rss_bytes, details, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(b.modelId, b.checkpointId ?? null, b.backend, b.prefillTokensPerSecond ?? null,
      b.decodeTokensPerSecond ?? null, b.paramBytes ?? null, b.peakRssBytes ?? null,
      toJsonText(b.details ?? {}, 'benchmark details'), nowSeconds()).lastInsertRowid,
  );
}

/** Benchmarks of a model (all its checkpoints included), or of one checkpoint when given; oldest first. */
export function listBenchmarks(db: Database, modelId: number, checkpointId?: number | null): BenchmarkRow[] {
  return stmt<Omit<BenchmarkRow, 'details'> & { details: string }>(
    db,
    `SELECT id, model_id AS modelId, checkpoint_id AS checkpointId, backend,
            prefill_tokens_per_second AS prefillTokensPerSecond, decode_tokens_per_second AS decodeTokensPerSecond,
            param_bytes AS paramBytes, peak_rss_bytes AS peakRssBytes, details, created_at AS createdAt
     FROM benchmarks
     WHERE model_id = @modelId AND (@anyCheckpoint OR checkpoint_id IS @checkpointId)
     ORDER BY id`,
  )
    .all({ modelId, anyCheckpoint: checkpointId === undefined ? 1 : 0, checkpointId: checkpointId ?? null })
    .map((r) => ({ ...r, details: fromJsonText(r.details, `details of benchmark ${r.id}`) }));
}
