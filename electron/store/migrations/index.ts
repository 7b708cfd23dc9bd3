/**
 * Schema migrations and their runner.
 *
 * Each schema version N has one function `updateToSchemaVersionN(db)` in its own file that moves a database from
 * version N - 1 to N. Only the runner (`migrateDatabase`) opens transactions and touches `PRAGMA user_version`:
 * every migration runs in its own IMMEDIATE transaction together with the version bump, followed by a foreign-key
 * check, so a database is always exactly at some version — never between two.
 *
 * Rules for adding version N + 1: add a file, append it to MIGRATIONS, never edit a released migration.
 */
import type { Database } from '../driver.ts';
import { updateToSchemaVersion1 } from './v1-models-datasets.ts';
import { updateToSchemaVersion2 } from './v2-runs.ts';
import { updateToSchemaVersion3 } from './v3-checkpoints.ts';
import { updateToSchemaVersion4 } from './v4-evaluations.ts';
import { updateToSchemaVersion5 } from './v5-chats.ts';
import { updateToSchemaVersion6 } from './v6-downloads-comparisons.ts';
import { updateToSchemaVersion7 } from './v7-stop-reason-resume-state.ts';
import { updateToSchemaVersion8 } from './v8-evaluation-matrix.ts';
import { updateToSchemaVersion9 } from './v9-run-prediction.ts';

/** One schema migration: moves a database from `version - 1` to `version`. */
export interface Migration {
  /** The schema version the database has after this migration (1-based). */
  version: number;
  /** Schema (and data) changes; must not open a transaction or change `user_version` itself. */
  up: (db: Database) => void;
}

/** Every migration this app knows, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, up: updateToSchemaVersion1 },
  { version: 2, up: updateToSchemaVersion2 },
  { version: 3, up: updateToSchemaVersion3 },
  { version: 4, up: updateToSchemaVersion4 },
  { version: 5, up: updateToSchemaVersion5 },
  { version: 6, up: updateToSchemaVersion6 },
  { version: 7, up: updateToSchemaVersion7 },
  { version: 8, up: updateToSchemaVersion8 },
  { version: 9, up: updateToSchemaVersion9 },
];

/** The schema version a fully migrated database has. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The database was written by a newer TrimLLM Studio: opening it here could corrupt it. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  /**
   * @param found the database's `user_version`
   * @param known the highest version this app knows
   */
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`database schema version ${found} is newer than this app (knows up to ${known}); update TrimLLM Studio`);
  }
}

/** A migration failed; the database stays at `fromVersion` (its transaction was rolled back). */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  /**
   * @param fromVersion version of the database before the failing migration
   * @param toVersion version the failing migration would have reached
   * @param cause the underlying error
   */
  constructor(
    readonly fromVersion: number,
    readonly toVersion: number,
    override readonly cause: Error,
  ) {
    super(`migrating the database from schema version ${fromVersion} to ${toVersion} failed: ${cause.message}`);
  }
}

/** Current `PRAGMA user_version` of the database (0 for a new, empty one). */
export function schemaVersion(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Checks that migrations are numbered 1, 2, 3, … in order with no gap or duplicate.
 * @throws Error naming the first out-of-order entry (a programming error, caught by the unit tests).
 */
export function checkMigrationOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
    }
  });
}

/** Options of migrateDatabase. */
export interface MigrateOptions {
  /** Stop at this version instead of the latest (tests of a single migration). */
  upTo?: number;
  /** The migrations to apply (tests); defaults to MIGRATIONS. */
  migrations?: readonly Migration[];
}

/**
 * Brings the database's schema up to date, one migration per transaction. Call with `PRAGMA foreign_keys = ON`
 * already set (openDatabase does): foreign keys cannot be switched inside a transaction.
 * @returns the versions before and after.
 * @throws SchemaTooNewError when the database is newer than the migrations; MigrationError when one fails
 *   (earlier migrations stay applied); Error when the list is out of order, `upTo` is unknown, or the
 *   connection is already inside a transaction.
 */
export function migrateDatabase(db: Database, options: MigrateOptions = {}): { from: number; to: number } {
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrationOrder(migrations);
  const known = migrations.length;
  const target = options.upTo ?? known;
  if (!Number.isInteger(target) || target < 0 || target > known) {
    throw new Error(`cannot migrate to schema version ${target}: this app knows versions 0..${known}`);
  }
  if (db.inTransaction) throw new Error('migrateDatabase must not be called inside a transaction');

  const from = schemaVersion(db);
  if (from > known) throw new SchemaTooNewError(from, known);

  for (const migration of migrations.slice(from, target)) {
    const step = db.transaction(() => {
      // Re-read under the write lock: another connection may have migrated meanwhile.
      if (schemaVersion(db) >= migration.version) return;
      migration.up(db);
      const violations = db.prepare('PRAGMA foreign_key_check').all();
      if (violations.length > 0) {
        throw new Error(`${violations.length} foreign key violation(s), e.g. ${JSON.stringify(violations[0])}`);
      }
      // PRAGMA takes no bound parameters; the value is a checked integer from our own list.
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      step.immediate();
    } catch (err) {
      throw new MigrationError(migration.version - 1, migration.version, err as Error);
    }
  }
  return { from, to: Math.max(from, target) };
}
