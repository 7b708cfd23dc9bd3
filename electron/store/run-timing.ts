/**
 * A run's predicted wall time (made before it started, kept across resumes) and the wall time it has taken,
 * summed over its starts and resumes (schema version 9).
 */
import { stmt, type Database } from './driver.ts';

/** A prediction of a run's wall time: seconds ± one spread (engine/trim/estimate.ts). */
export interface RunPrediction {
  seconds: number;
  uncertainty: number;
}

/** What is stored of a run's time. */
export interface RunTimingRow {
  /** Null when no prediction was made (runs before schema version 9, or one whose estimate failed). */
  predicted: RunPrediction | null;
  /** Wall time of its executions so far (seconds). */
  activeSeconds: number;
}

/**
 * Stores the prediction of run `id` unless it already has one (a resumed run keeps its original prediction).
 * @returns true when stored, false when the run had one already
 * @throws RangeError for a negative or non-finite value; Error when the run does not exist
 */
export function setRunPrediction(db: Database, id: number, p: RunPrediction): boolean {
  if (!(Number.isFinite(p.seconds) && p.seconds >= 0 && Number.isFinite(p.uncertainty) && p.uncertainty >= 0)) {
    throw new RangeError(`a run's prediction needs finite seconds and uncertainty ≥ 0, got ${p.seconds} ± ${p.uncertainty}`);
  }
  const r = stmt(db, 'UPDATE runs SET predicted_seconds = ?, predicted_uncertainty = ? WHERE id = ? AND predicted_seconds IS NULL').run(p.seconds, p.uncertainty, id);
  if (r.changes === 1) return true;
  if (!stmt(db, 'SELECT 1 FROM runs WHERE id = ?').get(id)) throw new Error(`run ${id} does not exist`);
  return false;
}

/**
 * Adds `seconds` of wall time to run `id` (one execution, from its start or resume to where it stopped).
 * @throws RangeError for a negative or non-finite value; Error when the run does not exist
 */
export function addRunActiveSeconds(db: Database, id: number, seconds: number): void {
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new RangeError(`seconds must be finite and ≥ 0, got ${seconds}`);
  if (stmt(db, 'UPDATE runs SET active_seconds = active_seconds + ? WHERE id = ?').run(seconds, id).changes !== 1) throw new Error(`run ${id} does not exist`);
}

/**
 * The stored prediction and time of run `id`.
 * @throws Error when the run does not exist
 */
export function getRunTiming(db: Database, id: number): RunTimingRow {
  const row = stmt<{ predicted_seconds: number | null; predicted_uncertainty: number | null; active_seconds: number }>(
    db, 'SELECT predicted_seconds, predicted_uncertainty, active_seconds FROM runs WHERE id = ?',
  ).get(id);
  if (!row) throw new Error(`run ${id} does not exist`);
  const predicted = row.predicted_seconds === null ? null : { seconds: row.predicted_seconds, uncertainty: row.predicted_uncertainty ?? 0 };
  return { predicted, activeSeconds: row.active_seconds };
}
