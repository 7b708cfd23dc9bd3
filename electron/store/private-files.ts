/**
 * Private files (issue: confidential data at rest): the CLI and the desktop app set a 077 umask at start, so the
 * data directory, the database with its WAL and shm, reports, backups and temporary files are the user's
 * alone; exports, which go where the user says, are written with the user's own umask. No other imports, so
 * the Electron main process can call it before anything else loads.
 */

/** Mode of the data directory and of folders the app makes in it (owner only). */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of the database, its WAL and shm, reports, backups and temporary files (owner read/write). */
export const PRIVATE_FILE_MODE = 0o600;
/** The umask the CLI and the app set at start, so every file they create is private. */
export const PRIVATE_UMASK = 0o077;

let userUmask: number | undefined;

/**
 * Sets the process's umask to PRIVATE_UMASK (call once at start, before any file is made), remembering the
 * user's own for exports (withUserUmask).
 */
export function usePrivateUmask(): void {
  const previous = process.umask(PRIVATE_UMASK);
  userUmask ??= previous;
}

/**
 * Runs `work` with the user's own umask (exports go where the user says, with the modes the user's other files
 * get: they are not encrypted, and not the app's to make private), then restores the private one.
 */
export async function withUserUmask<T>(work: () => Promise<T>): Promise<T> {
  if (userUmask === undefined) return work();
  process.umask(userUmask);
  try {
    return await work();
  } finally {
    process.umask(PRIVATE_UMASK);
  }
}

