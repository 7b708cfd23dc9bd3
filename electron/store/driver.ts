/**
 * The SQLite driver behind a small typed surface: better-sqlite3-multiple-ciphers 12, better-sqlite3's API built
 * on SQLite3 Multiple Ciphers, whose `sqlcipher` scheme writes SQLCipher-4-compatible encrypted pages
 * (encryption.ts configures it; a connection given no key reads and writes plain SQLite files as before).
 *
 * This file declares the part of the driver's API the store uses and loads the CommonJS module through
 * `createRequire` (no ambient `declare module`, so official types added later cannot conflict).
 *
 * Everything else in electron/store/ imports `Database` from here, never from the driver package directly.
 */
import { createRequire } from 'node:module';

/** A value SQLite can store: INTEGER/REAL (number, bigint), TEXT (string), BLOB (Uint8Array/Buffer), NULL. */
export type SqlValue = number | bigint | string | Uint8Array | null;

/** One bind argument: a positional value, or an object of named parameters (`@name` in the SQL). */
export type SqlParam = SqlValue | Readonly<Record<string, SqlValue>>;

/** What `Statement.run` reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
  /** Rowid of the last inserted row. */
  lastInsertRowid: number | bigint;
}

/** A prepared statement whose rows have type `Row`. */
export interface Statement<Row = unknown> {
  /** Executes a statement that returns no rows. */
  run(...params: SqlParam[]): RunResult;
  /** First row, or undefined when there is none. */
  get(...params: SqlParam[]): Row | undefined;
  /** All rows. */
  all(...params: SqlParam[]): Row[];
  /** Rows one at a time (the connection is busy until the iterator ends). */
  iterate(...params: SqlParam[]): IterableIterator<Row>;
  /** The SQL text the statement was prepared from. */
  readonly source: string;
}

/** A function wrapped by `Database.transaction`: BEGIN … COMMIT, or ROLLBACK and rethrow on an exception. */
export interface TransactionFunction<A extends unknown[], R> {
  (...args: A): R;
  /** Same, with BEGIN DEFERRED (the default). */
  deferred(...args: A): R;
  /** Same, with BEGIN IMMEDIATE: takes the write lock up front, so the busy timeout applies at once. */
  immediate(...args: A): R;
  /** Same, with BEGIN EXCLUSIVE. */
  exclusive(...args: A): R;
}

/** Progress of an online backup, in pages. */
export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** An open better-sqlite3 connection (the subset of its API this project relies on). */
export interface Database {
  /** Path of the database file, or ':memory:'. */
  readonly name: string;
  /** False once closed. */
  readonly open: boolean;
  /** True inside BEGIN … COMMIT. */
  readonly inTransaction: boolean;
  /** True for an in-memory database. */
  readonly memory: boolean;
  /** Compiles one SQL statement. @throws SqliteError on a syntax error or unknown table/column. */
  prepare<Row = unknown>(sql: string): Statement<Row>;
  /** Runs one or more SQL statements without parameters. @throws SqliteError */
  exec(sql: string): this;
  /** Runs a PRAGMA; with `{simple: true}` returns the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Wraps `fn` in a transaction (nested calls become savepoints). */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): TransactionFunction<A, R>;
  /** Online backup of the whole database to `destination` (a file path; overwritten). */
  backup(
    destination: string,
    options?: { progress?: (info: BackupProgress) => number | undefined },
  ): Promise<BackupProgress>;
  /**
   * Sets the encryption key of this connection (`sqlite3_key`): a passphrase, or `x'<64 hex digits>'` for a raw
   * 256-bit key. Must come before the first read; a wrong key shows at the first read as SQLITE_NOTADB.
   */
  key(key: Buffer): number;
  /** Re-encrypts the open database with a new key (`sqlite3_rekey`); needs a rollback journal, not WAL. */
  rekey(key: Buffer): number;
  /** Closes the connection. */
  close(): this;
}

/** Options of the driver's constructor. */
export interface DriverOptions {
  /** Open read-only. */
  readonly?: boolean;
  /** Throw instead of creating a missing file. */
  fileMustExist?: boolean;
  /** Busy timeout in milliseconds (the driver's unit). */
  timeout?: number;
}

type DriverConstructor = new (filename: string, options?: DriverOptions) => Database;

const require = createRequire(import.meta.url);
const Driver = require('better-sqlite3-multiple-ciphers') as DriverConstructor;

/**
 * Opens a raw connection with the driver, nothing else (no pragmas, no migrations): use `openDatabase` in db.ts.
 * @throws SqliteError or TypeError (missing directory, unreadable file).
 */
export function connect(filename: string, options?: DriverOptions): Database {
  return new Driver(filename, options);
}

const statementCache = new WeakMap<Database, Map<string, Statement<unknown>>>();

/**
 * A prepared statement for `sql`, compiled once per connection and reused (the hot paths append events and
 * chunks in loops). The row type is the caller's promise about the SQL's columns.
 * @throws SqliteError when the SQL does not compile.
 */
export function stmt<Row = unknown>(db: Database, text: string): Statement<Row> {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(text);
  if (!statement) {
    statement = db.prepare<unknown>(text);
    cache.set(text, statement);
  }
  return statement as Statement<Row>;
}
