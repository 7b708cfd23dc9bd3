/**
 * Opening, closing and maintaining the app's one SQLite database (DESIGN.md §4).
 *
 * Every connection runs with WAL journaling (readers never block the writer, e.g. the UI reading a run while the
 * job runner writes it), `foreign_keys = ON` (cascading deletes), a busy timeout (two processes may write) and
 * `synchronous = NORMAL` (durable at every WAL checkpoint; a power cut may lose the last commits, never corrupt).
 */
import { accessSync, constants, existsSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { makeFolder } from '../../engine/io/folders.ts';
import { dirname, join } from 'node:path';
import { connect, type Database } from './driver.ts';
import { backupEncrypted, fileState, isEncrypted, missingKeyError, truncatedError, unlock, type DbKey } from './encryption.ts';
import { migrateDatabase } from './migrations/index.ts';

export type { Database } from './driver.ts';

/** Options of openDatabase. */
export interface OpenOptions {
  /** How long a statement waits for another connection's write lock before failing, in seconds (default 5). */
  busyTimeoutSeconds?: number;
  /** Skip migrations (tests of the migration runner); default false. */
  skipMigrations?: boolean;
  /**
   * The encryption key (encryption.ts): a new file is created encrypted with it, an existing one must be
   * encrypted with it. Without a key the file is plain SQLite (an encrypted one is refused with a clear error).
   */
  key?: DbKey;
}

/**
 * Opens (creating if needed, with its parent folders) the database at `path`, or an in-memory one for
 * ':memory:', applies the connection pragmas and brings the schema up to date.
 * @throws WorkspaceAccessError when the key is wrong or missing, or the file is truncated or plain while a key
 *   was given (nothing on disk is changed then); SchemaTooNewError when the file was written by a newer app;
 *   MigrationError when a migration fails; SqliteError when the file cannot be opened. The connection is
 *   closed on any error.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const busyTimeoutMs = Math.round((options.busyTimeoutSeconds ?? 5) * 1000);
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new Error(`busyTimeoutSeconds must be a non-negative number, got ${options.busyTimeoutSeconds}`);
  }
  const memory = path === ':memory:' || path === '';
  const onDisk = !memory && !path.startsWith('file:');
  if (onDisk) {
    makeFolder(dirname(path));
    const state = fileState(path);
    if (state === 'truncated') throw truncatedError(path);
    if (state === 'encrypted' && options.key === undefined) throw missingKeyError(path);
  }
  const db = connect(path, { timeout: busyTimeoutMs });
  try {
    if (options.key !== undefined) unlock(db, options.key, path);
    db.pragma('journal_mode = WAL'); // an in-memory database stays in 'memory' mode
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('synchronous = NORMAL');
    if (!options.skipMigrations) migrateDatabase(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Closes the connection after letting SQLite refresh its query-planner statistics (`PRAGMA optimize`). Closing
 * the last connection checkpoints the WAL into the main file. Closing a closed database does nothing.
 */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  try {
    db.pragma('optimize');
  } catch {
    // Only an optimisation (e.g. another connection holds the lock): closing matters more.
  }
  db.close();
}

/**
 * Writes a consistent copy of the whole database to `destPath` while the app keeps using it (the copy is one
 * committed state). A plain database is copied with SQLite's online backup API (a write during the copy
 * restarts or updates it); an encrypted one with encryption.ts backupEncrypted, encrypted with the same key.
 * The copy is a database file that openDatabase opens (with the same key).
 * @returns the number of pages copied.
 * @throws TypeError when the destination folder does not exist; SqliteError on an I/O error.
 */
export async function backupDatabase(db: Database, destPath: string): Promise<{ pages: number }> {
  if (isEncrypted(db)) return backupEncrypted(db, destPath);
  const progress = await db.backup(destPath);
  return { pages: progress.totalPages };
}

/**
 * Rebuilds the database file to return the space of deleted rows (e.g. a deleted run's checkpoint BLOBs) to
 * the operating system. Takes time and disk space proportional to the database; holds the write lock meanwhile.
 * @throws Error inside a transaction (SQLite cannot VACUUM there); SqliteError when another connection is busy.
 */
export function vacuum(db: Database): void {
  if (db.inTransaction) throw new Error('vacuum cannot run inside a transaction');
  db.exec('VACUUM');
}

/**
 * Bytes the database takes on disk: its file plus its write-ahead log (0 for an in-memory database).
 */
export function databaseFileBytes(db: Database): number {
  if (db.memory) return 0;
  const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
  return size(db.name) + size(`${db.name}-wal`);
}

/**
 * Gives the space of deleted rows back to the file system: checkpoints the WAL into the file, VACUUMs, and
 * checkpoints again with TRUNCATE so the WAL does not keep the rewritten pages. Holds the write lock meanwhile.
 * @returns the bytes on disk (file + WAL) before and after.
 * @throws as vacuum().
 */
export function compactDatabase(db: Database): { bytesBefore: number; bytesAfter: number } {
  const bytesBefore = databaseFileBytes(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  vacuum(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { bytesBefore, bytesAfter: databaseFileBytes(db) };
}

/**
 * Runs `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.
 * @returns the problems found, in SQLite's words; empty when the database is sound.
 */
export function checkIntegrity(db: Database): string[] {
  const integrity = db.prepare<{ integrity_check: string }>('PRAGMA integrity_check').all();
  const problems = integrity.map((r) => r.integrity_check).filter((m) => m !== 'ok');
  const foreign = db
    .prepare<{ table: string; rowid: number | null; parent: string }>('PRAGMA foreign_key_check')
    .all();
  for (const f of foreign) problems.push(`${f.table} row ${f.rowid ?? '?'} has no matching row in ${f.parent}`);
  return problems;
}

/** What went wrong with the storage under the database. */
export type StorageProblem = 'disk-full' | 'read-only' | 'io';

/**
 * An error of the storage under the database (disk full, read-only file system, I/O error), with a message that
 * names the cause, the file and what to do. `code` is the driver's or the system's code (SQLITE_FULL, ENOSPC…).
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    message: string,
    readonly problem: StorageProblem,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * The problem the folder `dir` has right now: read-only, full, or none seen. Asks access(2) and statfs(2), then
 * writes and removes a one-byte probe file (an ext4 that turned read-only after a disk error still passes
 * access(2)).
 */
function probeFolder(dir: string): StorageProblem | undefined {
  const classify = (e: unknown): StorageProblem | undefined => {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    return code === 'EROFS' || code === 'EACCES' ? 'read-only' : FULL_CODES.has(code) ? 'disk-full' : undefined;
  };
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const problem = classify(e);
    if (problem) return problem;
  }
  try {
    const fs = statfsSync(dir);
    if (fs.bavail * fs.bsize < 64 * 1024) return 'disk-full';
  } catch {
    // statfs unsupported here: no more to learn from it
  }
  const probe = join(dir, `.trimllm-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'x', { flag: 'wx' });
  } catch (e) {
    return classify(e);
  }
  rmSync(probe, { force: true });
  return undefined;
}

/**
 * Recognises an error of the storage under the database file `path` (SQLITE_FULL, SQLITE_READONLY*,
 * SQLITE_IOERR*, SQLITE_CANTOPEN, ENOSPC, EROFS, EDQUOT, EIO…) and turns it into a StorageError whose message
 * says "disk full" or "read-only" with the path and the code. SQLite reports a write refused by a read-only
 * mount as a generic I/O error, so the folder is probed to tell which it was. The code is looked for on `err`
 * and down its `cause` chain (repositories wrap driver errors with context).
 * @returns the StorageError (the original error as its cause), or undefined for any other error.
 */
export function storageError(err: unknown, path: string): StorageError | undefined {
  if (err instanceof StorageError) return err;
  let code: unknown;
  // Repositories wrap driver errors with context (`cause`): look down the chain for a code.
  for (let e: unknown = err, depth = 0; e && depth < 8 && code === undefined; e = (e as { cause?: unknown }).cause, depth++) {
    code = (e as { code?: unknown }).code;
  }
  if (typeof code !== 'string') return undefined;
  const sqliteStorage = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/.test(code);
  const systemStorage = FULL_CODES.has(code) || READ_ONLY_CODES.has(code) || code === 'EIO';
  if (!sqliteStorage && !systemStorage) return undefined;
  // The folder is probed (a file written and removed) only when the code does not already say which it is.
  const problem: StorageProblem = FULL_CODES.has(code)
    ? 'disk-full'
    : code.startsWith('SQLITE_READONLY') || code === 'EROFS'
      ? 'read-only'
      : (probeFolder(dirname(path)) ?? 'io');
  const what = {
    'disk-full': `disk full: cannot write to ${path} (${code}); free some space (trimllm delete, then trimllm vacuum, or another --data-dir) and try again`,
    'read-only': `read-only: cannot write to ${path} (${code}); the folder or its file system is read-only, make it writable and try again`,
    io: `I/O error on ${path} (${code}): ${(err as Error).message}`,
  }[problem];
  return new StorageError(what, problem, code, { cause: err });
}
