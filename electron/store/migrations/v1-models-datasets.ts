/**
 * Schema version 1: models, datasets with their records, and settings.
 *
 * Conventions of every table (all versions): STRICT; ids are INTEGER PRIMARY KEY AUTOINCREMENT so an id is
 * never reused after a delete (the UI and the HTTP API hold ids); timestamps are REAL seconds since the Unix
 * epoch; JSON columns are TEXT with a `json_valid` CHECK; sizes are INTEGER bytes.
 */
import type { Database } from '../driver.ts';

/** Creates models, datasets, records and settings. Runs inside the runner's transaction. */
export function updateToSchemaVersion1(db: Database): void {
  db.exec(`
    CREATE TABLE models (
      id           INTEGER PRIMARY KEY AUTOINCREMENT,
      name         TEXT NOT NULL CHECK (name <> ''),
      -- where the weights come from: a local path, or a Hub repo id (with revision)
      source_kind  TEXT NOT NULL CHECK (source_kind IN ('path', 'hub')),
      source       TEXT NOT NULL CHECK (source <> ''),
      revision     TEXT,
      format       TEXT NOT NULL CHECK (format <> ''),       -- e.g. 'llama2c', 'safetensors'
      architecture TEXT,                                     -- e.g. 'LlamaForCausalLM'
      sha256       TEXT CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
      config       TEXT NOT NULL CHECK (json_valid(config)), -- the parsed model config
      param_bytes  INTEGER CHECK (param_bytes IS NULL OR param_bytes >= 0),
      created_at   REAL NOT NULL
    ) STRICT;
    CREATE INDEX models_by_sha256 ON models (sha256) WHERE sha256 IS NOT NULL;

    CREATE TABLE datasets (
      id               INTEGER PRIMARY KEY AUTOINCREMENT,
      name             TEXT NOT NULL CHECK (name <> ''),
      source           TEXT NOT NULL,                        -- the imported file's path, as the user gave it
      format           TEXT NOT NULL CHECK (format <> ''),   -- e.g. 'jsonl', 'csv', 'parquet'
      task_type        TEXT NOT NULL CHECK (task_type IN ('mcq', 'yesno', 'instruction', 'chat', 'text')),
      mapping          TEXT NOT NULL CHECK (json_valid(mapping)), -- source fields → normalised fields
      train_count      INTEGER NOT NULL DEFAULT 0 CHECK (train_count >= 0),
      validation_count INTEGER NOT NULL DEFAULT 0 CHECK (validation_count >= 0),
      test_count       INTEGER NOT NULL DEFAULT 0 CHECK (test_count >= 0),
      created_at       REAL NOT NULL
    ) STRICT;

    -- Imported, normalised copies of the records; idx counts from 0 within (dataset, split).
    CREATE TABLE records (
      id         INTEGER PRIMARY KEY,
      dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
      split      TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
      idx        INTEGER NOT NULL CHECK (idx >= 0),
      payload    TEXT NOT NULL CHECK (json_valid(payload)),
      UNIQUE (dataset_id, split, idx)
    ) STRICT;

    CREATE TABLE settings (
      key        TEXT PRIMARY KEY CHECK (key <> ''),
      value      TEXT NOT NULL CHECK (json_valid(value)),
      updated_at REAL NOT NULL
    ) STRICT, WITHOUT ROWID;
  `);
}
