/**
 * Where the CLI keeps its state: one SQLite database in the data directory (`--data-dir`, `TRIMLLM_DATA_DIR`,
 * default `~/.trimllm`). Opening it marks runs left 'running' by a crashed process as 'interrupted'.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { markInterruptedRuns, openDatabase, type Database } from '../store/index.ts';

/** The data directory for this invocation. */
export function dataDir(flag?: string): string {
  return resolve(flag ?? process.env.TRIMLLM_DATA_DIR ?? join(homedir(), '.trimllm'));
}

/** Opens (creating and migrating) the workspace database; the caller closes it. */
export function openWorkspace(flag?: string): Database {
  const db = openDatabase(join(dataDir(flag), 'trimllm.db'));
  markInterruptedRuns(db);
  return db;
}
