/**
 * Where the app keeps its state: one SQLite database in the data directory (`--data-dir`, `TRIMLLM_DATA_DIR`,
 * default `~/.trimllm`), opened with the key main.ts resolved (store/workspace-key.ts). Opening it marks runs
 * left 'running' by a crashed process as 'interrupted'.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { markInterruptedRuns, openWorkspaceDatabase, workspaceAccess, type Database } from '../store/index.ts';
import { announcePhase } from './phase-announce.ts';

/** The data directory for this invocation. */
export function dataDir(flag?: string): string {
  return resolve(flag ?? process.env.TRIMLLM_DATA_DIR ?? join(homedir(), '.trimllm'));
}

/** Opens (creating and migrating; converting a plain one when a key is given) the workspace database; the caller closes it. */
export function openWorkspace(flag?: string): Database {
  const db = openWorkspaceDatabase(dataDir(flag), { ...workspaceAccess(), onPhase: (name) => announcePhase(name) });
  markInterruptedRuns(db);
  return db;
}
