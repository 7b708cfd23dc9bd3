/**
 * The browser's file picker in server mode: folder listings limited to a few roots (the user's home and the
 * data directory). A path is accepted only when its real location (links resolved) lies inside a root, so a
 * symbolic link cannot lead out of them.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A place the picker may show, with what to call it. */
export interface BrowseRoot {
  label: string;
  path: string;
}

/** One entry of a listing. */
export interface FolderEntry {
  name: string;
  path: string;
  kind: 'folder' | 'file';
  /** Size of a file in bytes; null for a folder. */
  bytes: number | null;
}

/** A folder's listing; with no path, the roots only. */
export interface FolderListing {
  path: string | null;
  /** The folder above, when it is still inside a root. */
  parent: string | null;
  roots: BrowseRoot[];
  entries: FolderEntry[];
}

/** Thrown for a path the picker may not show (outside the roots, missing, not a folder). */
export class BrowseError extends Error {
  override name = 'BrowseError';
}

const inside = (path: string, root: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Lists `path` (folders first, then files, by name; hidden entries left out).
 * @param roots the allowed places (their real paths are used)
 * @throws BrowseError when the path, links resolved, is not a folder inside one of the roots
 */
export function browseFolder(path: string | undefined, roots: readonly BrowseRoot[]): FolderListing {
  const real = roots.flatMap((r) => {
    try {
      return [{ label: r.label, path: realpathSync(r.path) }];
    } catch {
      return [];
    }
  });
  if (path === undefined || path === '') return { path: null, parent: null, roots: real, entries: [] };
  let target: string;
  try {
    target = realpathSync(resolve(path));
  } catch {
    throw new BrowseError(`${path}: no such folder`);
  }
  if (!real.some((r) => inside(target, r.path))) {
    throw new BrowseError(`${path}: outside the places this page may show (${real.map((r) => r.path).join(', ')})`);
  }
  if (!statSync(target).isDirectory()) throw new BrowseError(`${path}: not a folder`);
  const entries: FolderEntry[] = [];
  for (const d of readdirSync(target, { withFileTypes: true })) {
    if (d.name.startsWith('.')) continue;
    const full = join(target, d.name);
    try {
      const realEntry = realpathSync(full);
      if (!real.some((r) => inside(realEntry, r.path))) continue; // a link out of the roots is not shown
      const st = statSync(realEntry);
      entries.push({ name: d.name, path: full, kind: st.isDirectory() ? 'folder' : 'file', bytes: st.isDirectory() ? null : st.size });
    } catch {
      // unreadable or dangling entry: not shown
    }
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  const up = dirname(target);
  const parent = up !== target && real.some((r) => inside(up, r.path)) ? up : null;
  return { path: target.endsWith(sep) && target.length > 1 ? target.slice(0, -1) : target, parent, roots: real, entries };
}
