/**
 * Opening the workspace database (`<data dir>/trimllm.db`) under the encryption policy, and keeping the data
 * directory private. Used by the CLI, server mode, the desktop app and the job workers, whatever gave the key.
 *
 * Policy (README "Your data", RELIABILITY.md):
 *
 *   file on disk          key given                    no key                       --no-encryption
 *   none                  created encrypted            refused: asks for a key      created plain, marked declined
 *   plain, from before    converted in place, opened   refused: key or decline      marked declined, opened plain
 *   plain, declined       refused ('plain-with-key')   opened plain                 opened plain
 *   encrypted             opened (wrong key refused)   refused ('encrypted-no-key') refused ('encrypted-no-key')
 *   truncated             refused                      refused                      refused
 *
 * Every refusal is a WorkspaceAccessError whose message says what to do, and leaves the files as they were.
 * Private files: the data directory is made 0700 and the database, its WAL and shared-memory files 0600
 * (new files get that from the 077 umask the CLI and the app set at start; older ones are fixed here).
 */
import { chmodSync, existsSync, rmSync, statSync } from 'node:fs';
import { makeFolder } from '../../engine/io/folders.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { closeDatabase, openDatabase, type Database } from './db.ts';
import { connect } from './driver.ts';
import {
  convertDatabase, fileState, HOW_TO_GIVE_THE_KEY, missingKeyError, WorkspaceAccessError, type DbKey,
} from './encryption.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.ts';
import { getSetting, setSetting } from './settings.ts';

/** The database file's name in the data directory. */
export const DATABASE_FILE = 'trimllm.db';

/** The setting that records a user's choice to keep the workspace plain (`false`); absent otherwise. */
export const ENCRYPTION_SETTING = 'storage.encryption';

/** How the workspace is to be opened. */
export interface WorkspaceAccess {
  /** The key (CLI: TRIMLLM_DB_KEY, --key-file, prompt; app: the keychain's). */
  key?: DbKey;
  /** The user declines encryption (`--no-encryption`, or the app's setting). */
  noEncryption?: boolean;
  /** Told each step of a plain → encrypted conversion (crash tests' phase announcements). */
  onPhase?: (name: string) => void;
  /** Busy timeout of the connection in seconds (openDatabase's default when absent). */
  busyTimeoutSeconds?: number;
}

/** The database path of a data directory. */
export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}

/**
 * Whether the plain database at `path` records the user's choice to stay unencrypted. Read through a read-only
 * connection, so a refused open changes nothing (the empty -wal/-shm files such a connection leaves on a WAL
 * database are removed when they were not there before); a file without the settings table → false.
 */
export function declinedEncryption(path: string): boolean {
  const sideFiles = [`${path}-wal`, `${path}-shm`].filter((f) => !existsSync(f));
  const db = connect(path, { readonly: true, fileMustExist: true });
  try {
    return getSetting(db, ENCRYPTION_SETTING, z.boolean()) === false;
  } catch {
    return false;
  } finally {
    db.close();
    if (sideFiles.length === 2 && existsSync(sideFiles[0]!) && statSync(sideFiles[0]!).size === 0) {
      for (const f of sideFiles) rmSync(f, { force: true });
    }
  }
}

/** Makes the data directory 0700 and the database files in it that exist 0600. */
export function makeWorkspacePrivate(dataDir: string): void {
  chmodSync(dataDir, PRIVATE_DIR_MODE);
  const path = databasePath(dataDir);
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
  }
}

/**
 * Opens (creating if needed, and migrating) the workspace database of `dataDir` under the policy above,
 * converting a plain database from an earlier version to an encrypted one when a key is given.
 * @throws WorkspaceAccessError (nothing changed on disk) as the policy says; whatever openDatabase throws.
 */
export function openWorkspaceDatabase(dataDir: string, access: WorkspaceAccess): Database {
  makeFolder(dataDir, PRIVATE_DIR_MODE);
  const path = databasePath(dataDir);
  const state = fileState(path);
  const options = access.busyTimeoutSeconds !== undefined ? { busyTimeoutSeconds: access.busyTimeoutSeconds } : {};
  let db: Database;
  if (state === 'encrypted' || state === 'truncated') {
    if (access.key === undefined) {
      if (state === 'encrypted' && access.noEncryption) {
        throw new WorkspaceAccessError(`the workspace ${path} is encrypted, so --no-encryption cannot open it; ${HOW_TO_GIVE_THE_KEY}`, 'encrypted-no-key', path);
      }
      db = openDatabase(path, options); // throws the missing-key or truncated error
    } else {
      db = openDatabase(path, { ...options, key: access.key });
    }
  } else if (state === 'absent') {
    if (access.noEncryption) {
      db = openDatabase(path, options);
      setSetting(db, ENCRYPTION_SETTING, false);
    } else if (access.key !== undefined) {
      db = openDatabase(path, { ...options, key: access.key });
    } else {
      throw new WorkspaceAccessError(`a new workspace in ${dataDir} is encrypted: ${HOW_TO_GIVE_THE_KEY}; or pass --no-encryption to keep it unencrypted`, 'missing-key', path);
    }
  } else if (declinedEncryption(path)) {
    if (access.key !== undefined && !access.noEncryption) {
      throw new WorkspaceAccessError(`the workspace ${path} is not encrypted (its owner turned encryption off), but a key was given: leave the key out, or run \`trimllm encrypt\` to encrypt it`, 'plain-with-key', path);
    }
    db = openDatabase(path, options);
  } else if (access.noEncryption) {
    db = openDatabase(path, options);
    setSetting(db, ENCRYPTION_SETTING, false);
  } else if (access.key !== undefined) {
    convertDatabase(path, null, access.key, access.onPhase);
    db = openDatabase(path, { ...options, key: access.key });
  } else {
    throw new WorkspaceAccessError(`the workspace ${path} is not encrypted yet: ${HOW_TO_GIVE_THE_KEY} to encrypt it now (in place, kill-safe), or pass --no-encryption to keep it unencrypted`, 'missing-key', path);
  }
  makeWorkspacePrivate(dataDir);
  return db;
}

/**
 * `trimllm encrypt` / `trimllm rekey`: rewrites the workspace database with the key `to` (from `from`, or from
 * plain when `from` is null), kill-safe (encryption.ts convertDatabase); a plain workspace's "declined" mark is
 * removed. The workspace must not be open in another process.
 * @throws WorkspaceAccessError when the workspace is absent, `from` does not match what the file is, or the
 *   file is busy; Error when the copy fails its verification.
 */
export function changeWorkspaceKey(dataDir: string, from: DbKey | null, to: DbKey, onPhase?: (name: string) => void): void {
  const path = databasePath(dataDir);
  const state = fileState(path);
  if (state === 'absent') throw new WorkspaceAccessError(`there is no workspace database in ${dataDir}`, 'missing-key', path);
  if (state === 'encrypted' && from === null) throw missingKeyError(path);
  if (state === 'plain' && from !== null) {
    throw new WorkspaceAccessError(`${path} is not encrypted: use \`trimllm encrypt\` (no current key) instead`, 'plain-with-key', path);
  }
  // openDatabase proves the current key (or refuses a truncated file) before anything is written.
  closeDatabase(openDatabase(path, from === null ? { skipMigrations: true } : { key: from, skipMigrations: true }));
  convertDatabase(path, from, to, onPhase);
  const db = openDatabase(path, { key: to });
  try {
    if (state === 'plain') setSetting(db, ENCRYPTION_SETTING, true);
  } finally {
    closeDatabase(db);
  }
  makeWorkspacePrivate(dataDir);
}
