/**
 * Schema version 4: evaluations (task performance) and benchmarks (speed and memory) of a base model or of a
 * checkpoint.
 */
import type { Database } from '../driver.ts';

/** Creates evaluations and benchmarks. Runs inside the runner's transaction. */
export function updateToSchemaVersion4(db: Database): void {
  db.exec(`
    CREATE TABLE evaluations (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      model_id      INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
      checkpoint_id INTEGER REFERENCES checkpoints (id) ON DELETE CASCADE, -- NULL: the base model
      dataset_id    INTEGER REFERENCES datasets (id) ON DELETE SET NULL,   -- NULL once the dataset is deleted
      split         TEXT CHECK (split IS NULL OR split IN ('train', 'validation', 'test')),
      task          TEXT NOT NULL CHECK (task <> ''),       -- e.g. 'mcq', 'perplexity', 'next-token'
      record_count  INTEGER NOT NULL CHECK (record_count >= 0),
      metrics       TEXT NOT NULL CHECK (json_valid(metrics)), -- e.g. {"acc":…, "acc_norm":…, "acc_stderr":…}
      created_at    REAL NOT NULL
    ) STRICT;
    CREATE INDEX evaluations_by_model ON evaluations (model_id);
    CREATE INDEX evaluations_by_checkpoint ON evaluations (checkpoint_id);
    CREATE INDEX evaluations_by_dataset ON evaluations (dataset_id);

    CREATE TABLE benchmarks (
      id                        INTEGER PRIMARY KEY AUTOINCREMENT,
      model_id                  INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
      checkpoint_id             INTEGER REFERENCES checkpoints (id) ON DELETE CASCADE, -- NULL: the base model
      backend                   TEXT NOT NULL CHECK (backend <> ''),
      prefill_tokens_per_second REAL CHECK (prefill_tokens_per_second IS NULL OR prefill_tokens_per_second >= 0),
      decode_tokens_per_second  REAL CHECK (decode_tokens_per_second IS NULL OR decode_tokens_per_second >= 0),
      param_bytes               INTEGER CHECK (param_bytes IS NULL OR param_bytes >= 0),
      peak_rss_bytes            INTEGER CHECK (peak_rss_bytes IS NULL OR peak_rss_bytes >= 0),
      details                   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
      created_at                REAL NOT NULL
    ) STRICT;
    CREATE INDEX benchmarks_by_model ON benchmarks (model_id);
    CREATE INDEX benchmarks_by_checkpoint ON benchmarks (checkpoint_id);
  `);
}
