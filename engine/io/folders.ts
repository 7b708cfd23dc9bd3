/**
 * Folders the app writes into (reports, exports, the workspace): created one level at a time with plain mkdir,
 * because Node 20's `mkdir(path, { recursive: true })` never returns for a path under /proc (it retries the
 * parent forever; measured: `mkdirSync('/proc/foo', { recursive: true })` runs until killed), and every failure
 * is turned into a message that names the folder.
 */
import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The folders of `path` that do not exist yet, outermost first, and the nearest one that does. */
function missingLevels(path: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let p = resolve(path);
  while (!existsSync(p)) {
    missing.unshift(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  return { existing: p, missing };
}

/**
 * Creates folder `path` and its missing parents (nothing when it exists).
 * @param mode permission bits of the folders it creates
 * @returns the folders it created, outermost first
 * @throws Error naming `path` when it or a parent is a file, or a level cannot be created (no permission, a
 *   read-only or virtual file system such as /proc)
 */
export function makeFolder(path: string, mode?: number): string[] {
  const full = resolve(path);
  const { existing, missing } = missingLevels(full);
  if (!statSync(existing).isDirectory()) throw new Error(`${full}: ${existing} is a file, not a folder; choose another folder`);
  const made: string[] = [];
  for (const level of missing) {
    try {
      mkdirSync(level, mode === undefined ? undefined : { mode });
      made.push(level);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EEXIST' && statSync(level).isDirectory()) continue; // made meanwhile by another process
      const why = err.code === 'ENOENT' ? `${dirname(level)} does not accept new folders` : err.code === 'EACCES' || err.code === 'EPERM'
        ? `no permission to create ${level}` : err.code === 'EROFS' ? `${dirname(level)} is read-only` : err.message;
      throw new Error(`${full}: cannot create this folder: ${why}; choose another folder`);
    }
  }
  return made;
}

/**
 * Checks, before a long job, that folder `path` can be created (or exists as a folder): creates the missing
 * levels and removes them again.
 * @throws Error as makeFolder
 */
export function checkFolderCreatable(path: string): void {
  for (const level of makeFolder(path).reverse()) rmdirSync(level);
}
