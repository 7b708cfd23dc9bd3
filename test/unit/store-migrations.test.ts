// Schema migrations: each version's tables, ordering, the "newer than this app" error, rollback of a failing
// migration, and the connection pragmas of openDatabase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkIntegrity, closeDatabase, openDatabase } from '../../electron/store/db.ts';
import { connect, type Database } from '../../electron/store/driver.ts';
import { getRunTiming } from '../../electron/store/run-timing.ts';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  MigrationError,
  SchemaTooNewError,
  checkMigrationOrder,
  migrateDatabase,
  schemaVersion,
} from '../../electron/store/migrations/index.ts';

/** Tables each migration adds. */
const TABLES_BY_VERSION: Record<number, string[]> = {
  1: ['datasets', 'models', 'records', 'settings'],
  2: ['importance_scores', 'run_events', 'runs'],
  3: ['checkpoint_tensors', 'checkpoints', 'tensor_chunks'],
  4: ['benchmarks', 'evaluations'],
  5: ['chat_messages', 'chats'],
  6: ['downloads'], // and evaluations.run_id
  7: [], // runs.stop_reason, importance_scores.chosen, checkpoints.resume_state
  8: [], // evaluations' matrix-cell columns and unique index
  9: [], // runs.predicted_seconds, predicted_uncertainty, active_seconds
};

function tables(db: Database): string[] {
  return db
    .prepare<{ name: string }>(
      `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    )
    .all()
    .map((r) => r.name);
}

/** Run 1 of model 1 on dataset 1, written with the columns every version since 2 has. */
function insertRun(db: Database): void {
  db.exec(`INSERT INTO models (name, source_kind, source, format, architecture, config, param_bytes, created_at)
             VALUES ('m', 'path', '/m', 'llama2c', 'llama', '{}', 1, 0)`);
  db.exec(`INSERT INTO datasets (name, source, format, task_type, mapping, created_at) VALUES ('d', '/d', 'jsonl', 'mcq', '{}', 0)`);
  db.exec(`INSERT INTO runs (model_id, dataset_id, config, seed, created_at) VALUES (1, 1, '{}', 0, 0)`);
}

function rawMemoryDb(): Database {
  const db = connect(':memory:');
  db.pragma('foreign_keys = ON');
  return db;
}

test('the migration list is numbered 1..N and covers every version', () => {
  checkMigrationOrder(MIGRATIONS);
  assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
  assert.deepEqual(Object.keys(TABLES_BY_VERSION).map(Number), MIGRATIONS.map((m) => m.version));
  assert.throws(
    () => checkMigrationOrder([MIGRATIONS[1]!, MIGRATIONS[0]!]),
    /entry 0 has version 2, expected 1/,
  );
});

test('a fresh database reaches the latest version with every table', () => {
  const db = openDatabase(':memory:');
  assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
  assert.deepEqual(tables(db), Object.values(TABLES_BY_VERSION).flat().sort());
  assert.deepEqual(checkIntegrity(db), []);
  closeDatabase(db);
});

for (const migration of MIGRATIONS) {
  test(`updateToSchemaVersion${migration.version} adds its tables on top of version ${migration.version - 1}`, () => {
    const db = rawMemoryDb();
    migrateDatabase(db, { upTo: migration.version - 1 });
    assert.equal(schemaVersion(db), migration.version - 1);
    const before = tables(db);
    // a row written at the previous version survives the migration
    if (migration.version > 1) {
      db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('k', '"v"', 0)`).run();
    }
    const result = migrateDatabase(db, { upTo: migration.version });
    assert.deepEqual(result, { from: migration.version - 1, to: migration.version });
    assert.equal(schemaVersion(db), migration.version);
    const added = tables(db).filter((t) => !before.includes(t));
    assert.deepEqual(added, TABLES_BY_VERSION[migration.version]);
    if (migration.version > 1) {
      assert.equal(db.prepare<{ value: string }>(`SELECT value FROM settings WHERE key = 'k'`).get()?.value, '"v"');
    }
    assert.deepEqual(checkIntegrity(db), []);
    db.close();
  });
}

test('migrating an up-to-date database changes nothing', () => {
  const db = openDatabase(':memory:');
  assert.deepEqual(migrateDatabase(db), { from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
  closeDatabase(db);
});

test('a database newer than the app is refused with a clear error, and left untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-store-'));
  try {
    const path = join(dir, 'state.db');
    closeDatabase(openDatabase(path));
    const raw = connect(path);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 3}`);
    raw.close();

    assert.throws(
      () => openDatabase(path),
      (err: unknown) => {
        assert.ok(err instanceof SchemaTooNewError);
        assert.equal(
          err.message,
          `database schema version ${LATEST_SCHEMA_VERSION + 3} is newer than this app ` +
            `(knows up to ${LATEST_SCHEMA_VERSION}); update TrimLLM Studio`,
        );
        return true;
      },
    );
    const check = connect(path);
    assert.equal(schemaVersion(check), LATEST_SCHEMA_VERSION + 3);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing migration rolls back completely and reports the versions', () => {
  const db = rawMemoryDb();
  const broken = [
    MIGRATIONS[0]!,
    {
      version: 2,
      up: (d: Database) => {
        d.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        throw new Error('simulated failure');
      },
    },
  ];
  assert.throws(
    () => migrateDatabase(db, { migrations: broken }),
    (err: unknown) =>
      err instanceof MigrationError &&
      err.fromVersion === 1 &&
      err.toVersion === 2 &&
      /from schema version 1 to 2 failed: simulated failure/.test(err.message),
  );
  assert.equal(schemaVersion(db), 1);
  assert.ok(!tables(db).includes('half_done'));
  db.close();
});

test('migrateDatabase refuses an unknown target and an open transaction', () => {
  const db = rawMemoryDb();
  assert.throws(() => migrateDatabase(db, { upTo: LATEST_SCHEMA_VERSION + 1 }), /cannot migrate to schema version/);
  db.exec('BEGIN');
  assert.throws(() => migrateDatabase(db), /inside a transaction/);
  db.exec('ROLLBACK');
  db.close();
});

test('openDatabase sets WAL, foreign keys, busy timeout and synchronous NORMAL, and reopens cleanly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-store-'));
  try {
    const path = join(dir, 'nested', 'state.db'); // parent folders are created
    const db = openDatabase(path, { busyTimeoutSeconds: 2.5 });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 2500);
    assert.equal(db.pragma('synchronous', { simple: true }), 1); // NORMAL
    db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('a', '1', 0)`).run();
    closeDatabase(db);
    closeDatabase(db); // closing twice is harmless

    const again = openDatabase(path);
    assert.equal(schemaVersion(again), LATEST_SCHEMA_VERSION);
    assert.equal(again.prepare<{ n: number }>('SELECT count(*) AS n FROM settings').get()?.n, 1);
    assert.deepEqual(checkIntegrity(again), []);
    closeDatabase(again);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openDatabase rejects a file that is not a database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-store-'));
  try {
    const path = join(dir, 'junk.db');
    // a file whose header is not SQLite's
    writeFileSync(path, 'this is not a database'.repeat(100));
    assert.throws(() => openDatabase(path), /not a database/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});


test('version 7 moves a checkpoint\'s resume state out of its metrics and keeps the entry', () => {
  const db = rawMemoryDb();
  migrateDatabase(db, { upTo: 6 });
  insertRun(db);
  db.exec(`INSERT INTO checkpoints (run_id, step, epoch, keep_mask, trainable_mask, metrics, param_bytes, created_at)
             VALUES (1, 3, 1, '[true,false]', '[true,false]', '{"state":{"phase":"drop","epochsDone":1},"entry":{"performance":0.5}}', 1, 0)`);
  migrateDatabase(db);
  const row = db.prepare<{ metrics: string; resume_state: string }>('SELECT metrics, resume_state FROM checkpoints').get()!;
  assert.deepEqual(JSON.parse(row.resume_state), { phase: 'drop', epochsDone: 1 });
  assert.deepEqual(JSON.parse(row.metrics), { entry: { performance: 0.5 } });
  assert.equal(db.prepare<{ s: string | null }>('SELECT stop_reason AS s FROM runs').get()!.s, null);
  db.close();
});

test('version 9 keeps a run made before it: no prediction, no time yet', () => {
  const db = rawMemoryDb();
  migrateDatabase(db, { upTo: 8 });
  insertRun(db);
  migrateDatabase(db);
  assert.deepEqual(getRunTiming(db, 1), { predicted: null, activeSeconds: 0 });
  assert.throws(() => db.exec('UPDATE runs SET active_seconds = -1'), /CHECK/);
  db.close();
});
