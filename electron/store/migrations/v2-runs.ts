/**
 * Schema version 2: runs, their progress events and the importance scores of each calibration scan.
 */
import type { Database } from '../driver.ts';

/** Creates runs, run_events and importance_scores. Runs inside the runner's transaction. */
export function updateToSchemaVersion2(db: Database): void {
  db.exec(`
    CREATE TABLE runs (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      name        TEXT NOT NULL DEFAULT '',
      -- RESTRICT: a run's checkpoints are deltas on its base model and resume needs its data
      model_id    INTEGER NOT NULL REFERENCES models (id) ON DELETE RESTRICT,
      dataset_id  INTEGER NOT NULL REFERENCES datasets (id) ON DELETE RESTRICT,
      config      TEXT NOT NULL CHECK (json_valid(config)),
      status      TEXT NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'interrupted', 'completed', 'failed', 'cancelled')),
      backend     TEXT,                                      -- tfjs backend actually used, once started
      seed        INTEGER NOT NULL,
      created_at  REAL NOT NULL,
      started_at  REAL,
      finished_at REAL,
      error       TEXT
    ) STRICT;
    CREATE INDEX runs_by_status ON runs (status);
    CREATE INDEX runs_by_model ON runs (model_id);
    CREATE INDEX runs_by_dataset ON runs (dataset_id);

    -- One row per logged training/validation step; metrics are NULL when not measured at that step.
    CREATE TABLE run_events (
      id                INTEGER PRIMARY KEY,
      run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      step              INTEGER NOT NULL CHECK (step >= 0),
      epoch             INTEGER NOT NULL CHECK (epoch >= 0),
      loss              REAL,
      lr                REAL,
      tokens_per_second REAL CHECK (tokens_per_second IS NULL OR tokens_per_second >= 0),
      performance       REAL CHECK (performance IS NULL OR (performance >= 0 AND performance <= 1)),
      created_at        REAL NOT NULL
    ) STRICT;
    CREATE INDEX run_events_by_run ON run_events (run_id, step);

    -- Importance of every remaining sub-layer at one calibration scan (scan 0 is the sparse-update ranking).
    CREATE TABLE importance_scores (
      run_id                  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      scan                    INTEGER NOT NULL CHECK (scan >= 0),
      step                    INTEGER NOT NULL CHECK (step >= 0),
      sub_layer               TEXT NOT NULL CHECK (sub_layer GLOB 'attn[0-9]*' OR sub_layer GLOB 'mlp[0-9]*'),
      calibration_performance REAL CHECK (calibration_performance IS NULL
                                          OR (calibration_performance >= 0 AND calibration_performance <= 1)),
      importance              REAL,
      activation_norm         REAL CHECK (activation_norm IS NULL OR activation_norm >= 0),
      PRIMARY KEY (run_id, scan, sub_layer)
    ) STRICT, WITHOUT ROWID;
  `);
}
