/**
 * Where the desktop app finds its parts, relative to the bundled main script (dist/electron/main.mjs): the preload
 * and job worker beside it, the built renderer in renderer/dist at the app root, and the data directory (Electron's userData,
 * or TRIMLLM_DATA_DIR as for the CLI and the server). Pure: no 'electron' import.
 */
import { join, resolve } from 'node:path';

/** The files the main process loads. */
export interface AppPaths {
  /** dist/electron/preload.cjs (bundled, sandbox-compatible). */
  preload: string;
  /** dist/electron/worker.mjs: the job worker entry, run in utility processes. */
  worker: string;
  /** renderer/dist: the only directory the app:// protocol serves. */
  rendererRoot: string;
}

/** Paths of the app's parts, from the directory of the bundled main script. */
export function appPaths(mainDir: string): AppPaths {
  return {
    preload: join(mainDir, 'preload.cjs'),
    worker: join(mainDir, 'worker.mjs'),
    rendererRoot: resolve(mainDir, '..', '..', 'renderer', 'dist'),
  };
}

/** The data directory override (TRIMLLM_DATA_DIR), resolved, or null for Electron's userData. */
export function dataDirOverride(env: Record<string, string | undefined>): string | null {
  const dir = env.TRIMLLM_DATA_DIR;
  return dir ? resolve(dir) : null;
}
