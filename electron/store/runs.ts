/**
 * Repository of runs (one fine-tune/trim job each) and their life cycle:
 *
 *   queued → running → completed | failed | cancelled | interrupted
 *   interrupted → running (resumed from its last checkpoint) | failed | cancelled
 *   queued → cancelled | failed
 *
 * A process that dies while a run is 'running' leaves it so; `markInterruptedRuns` at start-up turns those into
 * 'interrupted'. The process that runs a run records its pid (`claimRun`), so that another process opening the
 * same database meanwhile (`trimllm runs`, `trimllm backup`, a second app) does not take a live run for a dead
 * one. Progress events and importance scores live in run-metrics.ts.
 */
import { stmt, type Database } from './driver.ts';
import { fromJsonText, nowSeconds, rowId, toJsonText } from './values.ts';

/** State of a run. */
export type RunStatus = 'queued' | 'running' | 'interrupted' | 'completed' | 'failed' | 'cancelled';

/** For each status, the statuses a run in it may move to. */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['completed', 'failed', 'cancelled', 'interrupted'],
  interrupted: ['running', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** A run to create (status 'queued'). */
export interface NewRun {
  /** Display name; may be empty. */
  name?: string;
  modelId: number;
  datasetId: number;
  /** The full run configuration (any JSON value; validated by its owner, not here). */
  config: unknown;
  /** Seed of every random choice of the run (integer). */
  seed: number;
}

/** A stored run. */
export interface RunRow {
  id: number;
  name: string;
  modelId: number;
  datasetId: number;
  config: unknown;
  status: RunStatus;
  /** tfjs backend the run used, once started. */
  backend: string | null;
  seed: number;
  /** Seconds since the Unix epoch. */
  createdAt: number;
  /** When it last started or resumed (seconds since the epoch). */
  startedAt: number | null;
  /** When it reached completed, failed or cancelled (seconds since the epoch). */
  finishedAt: number | null;
  /** Why it failed. */
  error: string | null;
  /** Why its drop phase ended (the engine's TrimState.stopReason), once it has. */
  stopReason: string | null;
}

interface Row {
  id: number;
  name: string;
  model_id: number;
  dataset_id: number;
  config: string;
  status: RunStatus;
  backend: string | null;
  seed: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  stop_reason: string | null;
}

function toRun(r: Row): RunRow {
  return {
    id: r.id,
    name: r.name,
    modelId: r.model_id,
    datasetId: r.dataset_id,
    config: fromJsonText(r.config, `config of run ${r.id}`),
    status: r.status,
    backend: r.backend,
    seed: r.seed,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    stopReason: r.stop_reason,
  };
}

/**
 * Records why a run's drop phase ended: kept_fraction, param_ratio, accuracy_floor, max_epochs or nothing_left.
 * @throws SqliteError (CHECK) for another reason; Error when the run does not exist
 */
export function setRunStopReason(db: Database, id: number, reason: string): void {
  if (stmt(db, 'UPDATE runs SET stop_reason = ? WHERE id = ?').run(reason, id).changes !== 1) throw new Error(`run ${id} does not exist`);
}

/**
 * Creates a queued run.
 * @returns its id.
 * @throws Error when the config has no JSON form; SqliteError (FOREIGN KEY) when the model or dataset does not
 *   exist, (DATATYPE) when the seed is not an integer.
 */
export function createRun(db: Database, run: NewRun): number {
  const result = stmt(
    db,
    `INSERT INTO runs (name, model_id, dataset_id, config, status, seed, created_at)
     VALUES (?, ?, ?, ?, 'queued', ?, ?)`,
  ).run(run.name ?? '', run.modelId, run.datasetId, toJsonText(run.config, 'run config'), run.seed, nowSeconds());
  return rowId(result.lastInsertRowid);
}

/** The run with this id, or undefined. */
export function getRun(db: Database, id: number): RunRow | undefined {
  const row = stmt<Row>(db, 'SELECT * FROM runs WHERE id = ?').get(id);
  return row && toRun(row);
}

/** Filters of listRuns; all optional, combined with AND. */
export interface RunFilter {
  status?: RunStatus;
  modelId?: number;
  datasetId?: number;
}

/** Runs matching the filter, newest first. */
export function listRuns(db: Database, filter: RunFilter = {}): RunRow[] {
  return stmt<Row>(
    db,
    `SELECT * FROM runs
     WHERE (@status IS NULL OR status = @status)
       AND (@modelId IS NULL OR model_id = @modelId)
       AND (@datasetId IS NULL OR dataset_id = @datasetId)
     ORDER BY id DESC`,
  )
    .all({ status: filter.status ?? null, modelId: filter.modelId ?? null, datasetId: filter.datasetId ?? null })
    .map(toRun);
}

/** Extra fields set together with a status change. */
export interface StatusDetails {
  /** The backend in use (typically given when entering 'running'). */
  backend?: string;
  /** Why the run failed (for 'failed'; also allowed with 'cancelled' or 'interrupted'). */
  error?: string;
}

/**
 * Moves a run to `status`, atomically checking the transition is allowed (RUN_TRANSITIONS). Entering 'running'
 * sets `startedAt` and clears `error`; entering completed/failed/cancelled sets `finishedAt`.
 * @throws Error when the run does not exist or cannot go from its current status to `status`.
 */
export function setRunStatus(db: Database, id: number, status: RunStatus, details: StatusDetails = {}): void {
  const allowedFrom = (Object.keys(RUN_TRANSITIONS) as RunStatus[]).filter((s) => RUN_TRANSITIONS[s].includes(status));
  const now = nowSeconds();
  const terminal = status === 'completed' || status === 'failed' || status === 'cancelled';
  const result = stmt(
    db,
    `UPDATE runs SET
       status = @status,
       backend = coalesce(@backend, backend),
       started_at = CASE WHEN @status = 'running' THEN @now ELSE started_at END,
       finished_at = CASE WHEN @terminal THEN @now ELSE finished_at END,
       error = CASE WHEN @status = 'running' THEN NULL ELSE coalesce(@error, error) END
     WHERE id = @id AND status IN (SELECT value FROM json_each(@allowedFrom))`,
  ).run({
    id,
    status,
    backend: details.backend ?? null,
    error: details.error ?? null,
    now,
    terminal: terminal ? 1 : 0,
    allowedFrom: JSON.stringify(allowedFrom),
  });
  if (result.changes === 1) return;
  const current = stmt<{ status: RunStatus }>(db, 'SELECT status FROM runs WHERE id = ?').get(id);
  if (!current) throw new Error(`run ${id} does not exist`);
  const finished = status === 'running' && RUN_TRANSITIONS[current.status].length === 0;
  throw new Error(`run ${id} cannot go from ${current.status} to ${status}${finished ? `: it has ended; only an interrupted run can be resumed` : ''}`);
}

/** Settings key under which the process running run `id` records its pid (see claimRun). */
export function runOwnerKey(id: number): string {
  return `run.owner.${id}`;
}

/**
 * Records that process `pid` (default: this one) is running run `id`, so that markInterruptedRuns in another
 * process leaves the run alone while that process lives. Call when the run enters 'running'.
 */
export function claimRun(db: Database, id: number, pid: number = process.pid): void {
  stmt(
    db,
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(runOwnerKey(id), JSON.stringify({ pid }), nowSeconds());
}

/** Whether process `pid` exists (signal 0 checks without signalling; EPERM means it exists under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a stored claimRun value, or null when there is none or it is not a positive integer. */
function ownerPid(value: string | null): number | null {
  let pid: number;
  try {
    pid = value === null ? NaN : Number((JSON.parse(value) as { pid?: unknown }).pid);
  } catch {
    return null; // edited by hand: treat as no owner
  }
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * The pid of the process that claimed run `id` (claimRun), or null when none is recorded.
 */
export function runOwner(db: Database, id: number): number | null {
  const row = stmt<{ value: string }>(db, 'SELECT value FROM settings WHERE key = ?').get(runOwnerKey(id));
  return ownerPid(row?.value ?? null);
}

/**
 * Marks 'interrupted' every 'running' run whose process is gone: one with no recorded owner (claimRun), or
 * whose owner pid no longer exists. Call at start-up, before any job starts. (A pid reused by an unrelated
 * process keeps the run 'running' until that process ends: the safe direction.)
 * @param alive how to tell whether a pid lives (tests pass their own)
 * @returns the ids of the runs marked, ascending.
 */
export function markInterruptedRuns(db: Database, alive: (pid: number) => boolean = processAlive): number[] {
  const mark = db.transaction(() => {
    const running = stmt<{ id: number; owner: string | null }>(
      db,
      `SELECT r.id, s.value AS owner FROM runs r LEFT JOIN settings s ON s.key = 'run.owner.' || r.id
       WHERE r.status = 'running' ORDER BY r.id`,
    ).all();
    const dead = running.filter((r) => {
      const pid = ownerPid(r.owner);
      return !(pid !== null && alive(pid));
    });
    for (const r of dead) stmt(db, `UPDATE runs SET status = 'interrupted' WHERE id = ?`).run(r.id);
    return dead.map((r) => r.id);
  });
  return mark.immediate();
}

/**
 * Deletes a run with (by cascade) its events, importance scores, checkpoints and their tensor BLOBs, and the
 * evaluations and benchmarks of those checkpoints. Call vacuum() afterwards to give the space back.
 * @returns false when there was no such run.
 * @throws Error when the run is 'running' (cancel it first).
 */
export function deleteRun(db: Database, id: number): boolean {
  const remove = db.transaction(() => {
    const current = stmt<{ status: RunStatus }>(db, 'SELECT status FROM runs WHERE id = ?').get(id);
    if (!current) return false;
    if (current.status === 'running') throw new Error(`run ${id} is running; cancel it before deleting it`);
    stmt(db, 'DELETE FROM runs WHERE id = ?').run(id);
    stmt(db, 'DELETE FROM settings WHERE key = ?').run(runOwnerKey(id));
    return true;
  });
  return remove.immediate();
}
