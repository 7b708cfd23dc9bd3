/** Upkeep of the workspace database: giving deleted records' space back to the disk (vacuum), and backups. */
import { statSync } from 'node:fs';
import { makeFolder } from '../../engine/io/folders.ts';
import { join } from 'node:path';
import { backupDatabase, compactDatabase, type Database } from '../store/index.ts';
import { ConflictError } from './errors.ts';

/**
 * Rebuilds the database so deleted records' space returns to the disk.
 * @param trimmedRunId the run a job is trimming now (it writes to the database), or null
 * @returns the size (file + write-ahead log, bytes) before and after
 * @throws ConflictError while a run is being trimmed
 */
export function vacuumWorkspace(db: Database, trimmedRunId: number | null): { bytesBefore: number; bytesAfter: number } {
  if (trimmedRunId !== null) throw new ConflictError(`run ${trimmedRunId} is being trimmed and writes to the database; reclaim space once it has finished or been cancelled`);
  return compactDatabase(db);
}

/** A backup file name for `date`: trimllm-2026-11-29T18-30-05.db. */
function backupFileName(date: Date): string {
  return `trimllm-${date.toISOString().slice(0, 19).replace(/:/g, '-')}.db`;
}

/** Size of a file in bytes, 0 when it does not exist. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Writes a consistent copy of the database to `path` (see store backupDatabase), safe while a job writes.
 * @param path the copy; default `<dataDir>/backups/<backupFileName(now)>` (the folder is created)
 * @returns the copy's path, pages and size in bytes
 * @throws Error from the store when the copy cannot be written
 */
export async function backupWorkspace(db: Database, dataDir: string, path?: string): Promise<{ path: string; pages: number; bytes: number }> {
  let out = path;
  if (out === undefined) {
    const dir = join(dataDir, 'backups');
    makeFolder(dir);
    out = join(dir, backupFileName(new Date()));
  }
  const { pages } = await backupDatabase(db, out);
  return { path: out, pages, bytes: sizeOf(out) };
}
