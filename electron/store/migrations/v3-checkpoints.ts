/**
 * Schema version 3: checkpoints and their tensors.
 *
 * A checkpoint is its run's base model + a keep mask + the tensors that differ from the base model. A tensor's
 * bytes are split into chunks (at most a few MiB each, well under SQLite's 1 GB default BLOB limit) stored in
 * tensor_chunks; reading a tensor concatenates its chunks in order.
 */
import type { Database } from '../driver.ts';

/** Creates checkpoints, checkpoint_tensors and tensor_chunks. Runs inside the runner's transaction. */
export function updateToSchemaVersion3(db: Database): void {
  db.exec(`
    CREATE TABLE checkpoints (
      id              INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      step            INTEGER NOT NULL CHECK (step >= 0),
      epoch           INTEGER NOT NULL CHECK (epoch >= 0),
      label           TEXT NOT NULL DEFAULT '',              -- e.g. 'drop', 'healed', 'final'
      keep_mask       TEXT NOT NULL CHECK (json_valid(keep_mask) AND json_type(keep_mask) = 'array'
                                           AND json_array_length(keep_mask) % 2 = 0),
      trainable_mask  TEXT NOT NULL CHECK (json_valid(trainable_mask) AND json_type(trainable_mask) = 'array'
                                           AND json_array_length(trainable_mask) = json_array_length(keep_mask)),
      metrics         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
      param_bytes     INTEGER NOT NULL CHECK (param_bytes >= 0), -- parameter bytes of the trimmed model
      optimizer_state TEXT CHECK (optimizer_state IS NULL OR json_valid(optimizer_state)), -- scalars, e.g. t
      created_at      REAL NOT NULL
    ) STRICT;
    CREATE INDEX checkpoints_by_run ON checkpoints (run_id, step);

    CREATE TABLE checkpoint_tensors (
      id            INTEGER PRIMARY KEY,
      checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id) ON DELETE CASCADE,
      -- 'param': a weight that differs from the base model; 'optimizer': optimizer moments, for resuming
      role          TEXT NOT NULL CHECK (role IN ('param', 'optimizer')),
      name          TEXT NOT NULL CHECK (name <> ''),
      dtype         TEXT NOT NULL CHECK (dtype IN ('float32')), -- little-endian
      shape         TEXT NOT NULL CHECK (json_valid(shape) AND json_type(shape) = 'array'),
      byte_length   INTEGER NOT NULL CHECK (byte_length >= 0),
      chunk_count   INTEGER NOT NULL CHECK (chunk_count >= 0),
      UNIQUE (checkpoint_id, role, name)
    ) STRICT;

    CREATE TABLE tensor_chunks (
      tensor_id INTEGER NOT NULL REFERENCES checkpoint_tensors (id) ON DELETE CASCADE,
      chunk     INTEGER NOT NULL CHECK (chunk >= 0),
      data      BLOB NOT NULL,
      PRIMARY KEY (tensor_id, chunk)
    ) STRICT;
  `);
}
