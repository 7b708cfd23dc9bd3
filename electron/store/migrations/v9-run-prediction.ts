/**
 * Schema version 9: a run's predicted wall time, made before it started (`trimllm plan`'s estimate: seconds and
 * ± uncertainty; NULL for runs made before this version or without an estimate), and the wall time it has taken
 * so far, summed over its starts and resumes (a resume keeps the original prediction and adds to the time).
 */
import type { Database } from '../driver.ts';

/** Adds runs.predicted_seconds, runs.predicted_uncertainty and runs.active_seconds. Runs inside the runner's transaction. */
export function updateToSchemaVersion9(db: Database): void {
  db.exec(`
    ALTER TABLE runs ADD COLUMN predicted_seconds REAL CHECK (predicted_seconds IS NULL OR predicted_seconds >= 0);
    ALTER TABLE runs ADD COLUMN predicted_uncertainty REAL CHECK (predicted_uncertainty IS NULL OR predicted_uncertainty >= 0);
    ALTER TABLE runs ADD COLUMN active_seconds REAL NOT NULL DEFAULT 0 CHECK (active_seconds >= 0);
  `);
}
