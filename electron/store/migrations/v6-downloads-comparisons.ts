/**
 * Schema version 6: Hub downloads (resumable, listed in the app, interrupted by a quit) and the run an
 * evaluation belongs to (the base model and the baselines measured at the end of a trim run, shown beside its
 * checkpoints).
 */
import type { Database } from '../driver.ts';

/** Creates downloads and adds evaluations.run_id. Runs inside the runner's transaction. */
export function updateToSchemaVersion6(db: Database): void {
  db.exec(`
    CREATE TABLE downloads (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      repo       TEXT NOT NULL CHECK (repo <> ''),
      revision   TEXT NOT NULL DEFAULT 'main' CHECK (revision <> ''),
      files      TEXT NOT NULL CHECK (json_valid(files)),  -- [{file, bytes, total, done}]
      dest_dir   TEXT NOT NULL CHECK (dest_dir <> ''),
      status     TEXT NOT NULL CHECK (status IN ('running', 'interrupted', 'completed', 'failed', 'cancelled')),
      model_id   INTEGER REFERENCES models (id) ON DELETE SET NULL, -- the model imported from it
      error      TEXT,
      created_at REAL NOT NULL,
      updated_at REAL NOT NULL
    ) STRICT;
    CREATE INDEX downloads_by_status ON downloads (status);

    ALTER TABLE evaluations ADD COLUMN run_id INTEGER REFERENCES runs (id) ON DELETE CASCADE;
    CREATE INDEX evaluations_by_run ON evaluations (run_id);
  `);
}
