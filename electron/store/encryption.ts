/**
 * Encryption at rest of a database file, at the SQLite page level (SQLite3 Multiple Ciphers, `sqlcipher` scheme
 * with `legacy=4`: SQLCipher 4's format: AES-256-CBC pages with an HMAC-SHA512 each, the key derived from a
 * passphrase with PBKDF2-HMAC-SHA512, 256,000 iterations, and a per-file salt in the first 16 bytes; see
 * https://utelle.github.io/SQLite3MultipleCiphers/docs/ciphers/cipher_sqlcipher/). The WAL is encrypted the
 * same way; nothing of a record, nor the "SQLite format 3" header, appears in the file.
 *
 * A key is the secret text handed to `sqlite3_key`: a passphrase (the CLI's TRIMLLM_DB_KEY, --key-file, prompt),
 * or `x'<64 hex digits>'`, a raw 256-bit key that skips the key derivation (the desktop app's random key).
 *
 * Also here: what a file on disk is (plain, encrypted, truncated), the clear errors for a wrong or missing key,
 * and the conversion of a file from one key to another (plain → encrypted, rekey) that a kill cannot damage:
 * encrypted copy beside it, verified (integrity_check + row counts), then an atomic rename.
 */
import { closeSync, existsSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { connect, type Database } from './driver.ts';

/** The secret given to SQLite: a passphrase, or `x'<64 hex digits>'` (a raw 256-bit key). */
export type DbKey = string;

/** SQLCipher 4's page size: an encrypted file is a whole number of these. */
export const ENCRYPTED_PAGE_BYTES = 4096;

/** The first 16 bytes of every plain SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Connections opened with a key (backups of them must be encrypted too). */
const keyed = new WeakSet<Database>();

/** A new random raw key, `x'<64 hex digits>'` (32 bytes from the system's CSPRNG). */
export function randomRawKey(): DbKey {
  return `x'${randomBytes(32).toString('hex')}'`;
}

/** The first `bytes` bytes of a file (zeros past its end). */
function readHead(path: string, bytes: number): Buffer {
  const head = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, bytes, 0);
  } finally {
    closeSync(fd);
  }
  return head;
}

/** What a database file on disk is, from its size and first bytes (nothing is opened or changed). */
export type FileState = 'absent' | 'plain' | 'encrypted' | 'truncated';

/**
 * Tells what the file at `path` is. Empty or missing → 'absent' (SQLite writes nothing before the first
 * table). A plain file starts with "SQLite format 3\0"; it is 'truncated' when shorter than its header says
 * (page size at offset 16, page count at offset 28, SQLite file format §1.3). An encrypted file has random
 * bytes there and is 'truncated' when it is not a whole number of 4096-byte pages.
 */
export function fileState(path: string): FileState {
  if (!existsSync(path)) return 'absent';
  const size = statSync(path).size;
  if (size === 0) return 'absent';
  const head = readHead(path, 100);
  if (head.subarray(0, 16).equals(SQLITE_HEADER)) {
    if (size < 100) return 'truncated';
    const raw = head.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    const pages = head.readUInt32BE(28);
    // Page count 0 (written by very old SQLite) → only the multiple-of-page-size check applies.
    return size % pageSize !== 0 || (pages > 0 && size < pages * pageSize) ? 'truncated' : 'plain';
  }
  return size % ENCRYPTED_PAGE_BYTES !== 0 ? 'truncated' : 'encrypted';
}

/** Why a workspace database could not be opened as asked. */
export type AccessProblem = 'wrong-key' | 'missing-key' | 'truncated' | 'plain-with-key' | 'encrypted-no-key' | 'busy';

/**
 * The database cannot be opened with the key (or lack of one) given. The message says what the file is and how
 * to give the key; it never contains the key. Nothing on disk was changed.
 */
export class WorkspaceAccessError extends Error {
  override readonly name = 'WorkspaceAccessError';
  constructor(
    message: string,
    readonly problem: AccessProblem,
    readonly path: string,
  ) {
    super(message);
  }
}

/** How a user gives the key, for error messages (one definition, used by every message that asks for it). */
export const HOW_TO_GIVE_THE_KEY =
  'give the key with TRIMLLM_DB_KEY=…, --key-file FILE (mode 0600) or at the prompt in a terminal (never on the command line)';

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/** Sets the `sqlcipher` scheme in SQLCipher 4's settings on a fresh connection (before any key). */
function configureCipher(db: Database): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
}

/**
 * Applies `key` to a fresh connection to `path` and proves it by reading the schema.
 * @throws WorkspaceAccessError 'wrong-key' (or 'truncated'/'plain-with-key' when the file says so) when SQLite
 *   cannot read page 1 with it. The connection stays open either way; the caller closes it.
 */
export function unlock(db: Database, key: DbKey, path: string): void {
  configureCipher(db);
  db.key(Buffer.from(key, 'utf8'));
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    if (codeOf(e) !== 'SQLITE_NOTADB' && !codeOf(e).startsWith('SQLITE_CORRUPT')) throw e;
    const state = fileState(path);
    if (state === 'plain') {
      throw new WorkspaceAccessError(`${path} is not encrypted, but a key was given: leave the key out to open it, or run \`trimllm encrypt\` to encrypt it`, 'plain-with-key', path);
    }
    if (state === 'truncated') throw truncatedError(path);
    throw new WorkspaceAccessError(`the workspace ${path} is encrypted and this key does not open it (wrong key); ${HOW_TO_GIVE_THE_KEY}`, 'wrong-key', path);
  }
  keyed.add(db);
}

/**
 * The error for a file cut short (a bad copy, a full disk during a copy): a SQLite file shorter than its header
 * says, or a file without SQLite's header that is not whole encrypted pages (which may also be no database).
 */
export function truncatedError(path: string): WorkspaceAccessError {
  const size = statSync(path).size;
  const plain = size >= 16 && readHead(path, 16).equals(SQLITE_HEADER);
  const what = plain
    ? `${path} is truncated (${size} bytes, shorter than its SQLite header says)`
    : `${path} is not a database: neither a SQLite file nor a whole encrypted one (${size} bytes, not whole ${ENCRYPTED_PAGE_BYTES}-byte pages)`;
  return new WorkspaceAccessError(`${what}; if it is your workspace it was cut short, e.g. by an interrupted copy: restore it from a backup (trimllm backup)`, 'truncated', path);
}

/** The error for an encrypted file opened without a key. */
export function missingKeyError(path: string): WorkspaceAccessError {
  return new WorkspaceAccessError(`the workspace ${path} is encrypted; ${HOW_TO_GIVE_THE_KEY}`, 'encrypted-no-key', path);
}

/** Whether `db` was opened with a key. */
export function isEncrypted(db: Database): boolean {
  return keyed.has(db);
}

/** Row counts of every table of a database (for the copy's verification). */
function rowCounts(db: Database): Record<string, number> {
  const tables = db
    .prepare<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all();
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    out[name] = db.prepare<{ n: number }>(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get()!.n;
  }
  return out;
}

/** Flushes a file (or folder) to the disk. */
function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The name of the conversion's copy beside `path` (a leftover one, from a killed conversion, is removed). */
export function conversionCopyPath(path: string): string {
  return `${path}.converting`;
}

/**
 * Rewrites the database at `path` from key `from` (null: plain) to key `to`, so that a kill at any moment leaves
 * either the old file or the new one, whole (RELIABILITY.md, conversion):
 *
 *   1. one connection takes the write lock (no other process may be using the file), checkpoints the WAL
 *      into the file, and writes a copy with `VACUUM INTO <path>.converting` (encrypted with `from` when `from`
 *      is set, as SQLite3 Multiple Ciphers writes VACUUM INTO with the source's cipher);
 *   2. the copy is re-keyed to `to` (`sqlite3_rekey`, rollback journal; a plain copy becomes encrypted);
 *   3. the copy is opened with `to` and verified: `integrity_check` is ok and every table has the row count the
 *      source has; then fsynced;
 *   4. the source connection is closed (its WAL is merged and removed), the copy is renamed over `path`
 *      (atomic on POSIX and NTFS) and the folder fsynced.
 *
 * Before step 4 the old file is untouched; a leftover copy is removed by the next conversion. The copy is made
 * with the process's umask (0600 under the CLI's and app's 077).
 * `onPhase` is told 'convert-copy', 'convert-rekey', 'convert-verified' and 'convert-swapped' as each step
 * begins or ends (the crash tests' phase announcements).
 * @throws WorkspaceAccessError when `from` does not open the file or another process holds it ('busy');
 *   Error naming the table when the copy's verification fails (the copy is removed, the file kept).
 */
export function convertDatabase(path: string, from: DbKey | null, to: DbKey, onPhase: (name: string) => void = () => {}): void {
  const copy = conversionCopyPath(path);
  rmSync(copy, { force: true });
  rmSync(`${copy}-journal`, { force: true });
  const source = connect(path, { fileMustExist: true, timeout: 0 });
  let closed = false;
  try {
    if (from !== null) unlock(source, from, path);
    try {
      source.pragma('locking_mode = EXCLUSIVE');
      source.exec('BEGIN IMMEDIATE; COMMIT');
      source.pragma('wal_checkpoint(TRUNCATE)');
    } catch (e) {
      if (codeOf(e).startsWith('SQLITE_BUSY')) {
        throw new WorkspaceAccessError(`${path} is in use by another process (a trim, the app or a server): stop it and try again`, 'busy', path);
      }
      throw e;
    }
    const expected = rowCounts(source);
    onPhase('convert-copy');
    source.prepare('VACUUM INTO ?').run(copy);
    const target = connect(copy, { fileMustExist: true });
    try {
      if (from !== null) unlock(target, from, copy);
      else configureCipher(target);
      target.pragma('journal_mode = DELETE');
      onPhase('convert-rekey');
      target.rekey(Buffer.from(to, 'utf8'));
    } finally {
      target.close();
    }
    const check = connect(copy, { fileMustExist: true });
    try {
      unlock(check, to, copy);
      const integrity = check.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new Error(`the converted copy of ${path} fails integrity_check: ${String(integrity)}`);
      const got = rowCounts(check);
      for (const [table, n] of Object.entries(expected)) {
        if (got[table] !== n) throw new Error(`the converted copy of ${path} has ${got[table] ?? 0} rows in ${table}, the original ${n}`);
      }
    } finally {
      check.close();
    }
    fsyncPath(copy);
    onPhase('convert-verified');
    source.close();
    closed = true;
    renameSync(copy, path);
    fsyncPath(dirname(path));
    onPhase('convert-swapped');
  } catch (e) {
    if (!closed) source.close();
    rmSync(copy, { force: true });
    throw e;
  }
}

/**
 * Writes a consistent copy of an encrypted database to `destPath`, encrypted with the same key: `VACUUM INTO`
 * (one read transaction, so a writer in WAL mode keeps going and the copy is one committed state). SQLite's
 * backup API cannot be used here: the driver opens its destination without a key, and SQLite3 Multiple Ciphers
 * refuses to copy encrypted pages into a plain file ("incompatible source and target databases").
 * @returns the number of pages of the copy.
 */
export function backupEncrypted(db: Database, destPath: string): { pages: number } {
  db.prepare('VACUUM INTO ?').run(destPath);
  fsyncPath(destPath);
  return { pages: statSync(destPath).size / ENCRYPTED_PAGE_BYTES };
}
