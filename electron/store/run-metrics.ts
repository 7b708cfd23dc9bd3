/**
 * Repository of what a run measures while it goes: progress events (loss, lr, tokens/s, performance per step)
 * and the importance scores of each calibration scan (DESIGN.md §1). SQLite has no NaN: a NaN metric is stored
 * and read back as null.
 */
import type { SubLayerName } from '../../engine/model/sublayers.ts';
import { stmt, type Database } from './driver.ts';
import { nowSeconds, rowId } from './values.ts';

/** One progress event of a run. */
export interface NewRunEvent {
  /** Optimizer step (0-based, counted over the whole run). */
  step: number;
  /** Epoch (0-based). */
  epoch: number;
  /** Training loss (nats per target token). */
  loss?: number | null;
  /** Learning rate in effect. */
  lr?: number | null;
  /** Training throughput, tokens per second. */
  tokensPerSecond?: number | null;
  /** Task performance P in [0, 1] (validation or calibration), when measured at this step. */
  performance?: number | null;
}

/** A stored progress event. */
export interface RunEventRow {
  id: number;
  runId: number;
  step: number;
  epoch: number;
  loss: number | null;
  lr: number | null;
  tokensPerSecond: number | null;
  performance: number | null;
  /** Seconds since the Unix epoch. */
  createdAt: number;
}

/**
 * The events-by-run query, ordered by step then insertion; `@afterId` lets a live view fetch only new events.
 * Exported so a test can check its plan uses the `run_events_by_run` index.
 */
export const RUN_EVENTS_BY_RUN_SQL = `
  SELECT id, run_id AS runId, step, epoch, loss, lr, tokens_per_second AS tokensPerSecond, performance,
         created_at AS createdAt
  FROM run_events WHERE run_id = @runId AND id > @afterId ORDER BY step, id`;

/**
 * Appends progress events to a run, all in one transaction.
 * @returns the ids of the new events, in order.
 * @throws SqliteError (FOREIGN KEY) when the run does not exist, (CHECK) on a negative step/epoch/throughput or a
 *   performance outside [0, 1], (DATATYPE) on a non-integer step or epoch; nothing is written then.
 */
export function appendRunEvents(db: Database, runId: number, events: readonly NewRunEvent[]): number[] {
  const insert = stmt(
    db,
    `INSERT INTO run_events (run_id, step, epoch, loss, lr, tokens_per_second, performance, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = nowSeconds();
  const write = db.transaction(() =>
    events.map((e) =>
      rowId(
        insert.run(runId, e.step, e.epoch, e.loss ?? null, e.lr ?? null, e.tokensPerSecond ?? null,
          e.performance ?? null, now).lastInsertRowid,
      ),
    ),
  );
  return write.immediate();
}

/**
 * Deletes a run's events after an optimizer step: on resume, the events of the epoch a crash interrupted are
 * replaced by the re-run's.
 * @returns the number of events deleted
 */
export function deleteRunEventsAfter(db: Database, runId: number, step: number): number {
  return stmt(db, 'DELETE FROM run_events WHERE run_id = ? AND step > ?').run(runId, step).changes;
}

/**
 * Events of a run ordered by step (then insertion), optionally only those with an id above `afterId`.
 */
export function listRunEvents(db: Database, runId: number, options: { afterId?: number } = {}): RunEventRow[] {
  return stmt<RunEventRow>(db, RUN_EVENTS_BY_RUN_SQL).all({ runId, afterId: options.afterId ?? 0 });
}

/** Importance of one sub-layer at one scan. */
export interface ImportanceScore {
  /** Sub-layer name, e.g. `attn3` or `mlp0`. */
  subLayer: SubLayerName;
  /** Performance P in [0, 1] of the model without this sub-layer on the calibration set; null if not measured. */
  calibrationPerformance: number | null;
  /** The importance used for ranking (e.g. 1 / (P + ε)); null if not computed. */
  importance: number | null;
  /** Frobenius norm of the sub-layer's output on the calibration set; null if not measured. */
  activationNorm: number | null;
  /** True for the sub-layer the engine's drop rule (chooseDrop) chose from this scan (absent: false). */
  chosen?: boolean;
}

/** All scores of one calibration scan. */
export interface ImportanceScan {
  /** 0-based scan number within the run (scan 0 is the sparse-update ranking before any training). */
  scan: number;
  /** Optimizer step at which the scan ran. */
  step: number;
  /** One per sub-layer scored, in forward order (attn0, mlp0, attn1, …). */
  scores: ImportanceScore[];
}

const SUB_LAYER = /^(attn|mlp)(0|[1-9]\d*)$/;

/**
 * Records the scores of one calibration scan of a run in one transaction.
 * @param scan the scan number; default: one more than the run's last scan (0 for the first).
 * @returns the scan number used.
 * @throws Error on a malformed sub-layer name or a sub-layer listed twice; SqliteError (FOREIGN KEY) when the
 *   run does not exist, (PRIMARY KEY) when that scan number is already recorded; nothing is written then.
 */
export function recordImportanceScan(
  db: Database,
  runId: number,
  step: number,
  scores: readonly ImportanceScore[],
  scan?: number,
): number {
  const seen = new Set<string>();
  for (const s of scores) {
    if (!SUB_LAYER.test(s.subLayer)) throw new Error(`invalid sub-layer name "${s.subLayer}": expected attn<i> or mlp<i>`);
    if (seen.has(s.subLayer)) throw new Error(`sub-layer ${s.subLayer} is scored twice in one scan`);
    seen.add(s.subLayer);
  }
  const insert = stmt(
    db,
    `INSERT INTO importance_scores (run_id, scan, step, sub_layer, calibration_performance, importance,
                                    activation_norm, chosen)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const write = db.transaction(() => {
    const number =
      scan ??
      stmt<{ next: number }>(db, 'SELECT coalesce(max(scan) + 1, 0) AS next FROM importance_scores WHERE run_id = ?')
        .get(runId)!.next;
    for (const s of scores) {
      insert.run(runId, number, step, s.subLayer, s.calibrationPerformance, s.importance, s.activationNorm, s.chosen ? 1 : 0);
    }
    return number;
  });
  return write.immediate();
}

/** Every calibration scan of a run, in scan order, each with its scores in forward sub-layer order. */
export function listImportanceScans(db: Database, runId: number): ImportanceScan[] {
  const rows = stmt<{
    scan: number;
    step: number;
    sub_layer: SubLayerName;
    calibration_performance: number | null;
    importance: number | null;
    activation_norm: number | null;
    chosen: number;
  }>(db, 'SELECT * FROM importance_scores WHERE run_id = ? ORDER BY scan').all(runId);
  const scans = new Map<number, ImportanceScan>();
  for (const r of rows) {
    let entry = scans.get(r.scan);
    if (!entry) {
      entry = { scan: r.scan, step: r.step, scores: [] };
      scans.set(r.scan, entry);
    }
    entry.scores.push({
      subLayer: r.sub_layer,
      calibrationPerformance: r.calibration_performance,
      importance: r.importance,
      activationNorm: r.activation_norm,
      chosen: r.chosen === 1,
    });
  }
  const order = (name: string): number => {
    const m = SUB_LAYER.exec(name)!;
    return 2 * Number(m[2]) + (m[1] === 'attn' ? 0 : 1);
  };
  for (const entry of scans.values()) entry.scores.sort((a, b) => order(a.subLayer) - order(b.subLayer));
  return [...scans.values()];
}
