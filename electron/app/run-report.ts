/** Where a run's report lives: the folder the app makes for a run started from the API, and the files it holds. */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { RunRow } from '../store/index.ts';

/** The files a completed run's report folder holds (engine/report/write.ts). */
export const REPORT_FILES = ['report.md', 'report.json', 'loss.svg', 'layer-map.svg', 'frontier.svg'] as const;

/** A new report folder under the workspace for a run started from the API: `<dataDir>/reports/run-<time>-<random>`. */
export function newReportDir(dataDir: string, now = new Date()): string {
  return join(dataDir, 'reports', `run-${now.toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${Math.random().toString(36).slice(2, 6)}`);
}

/** A run's report folder (null when it writes none) and the REPORT_FILES present in it. */
export function reportOf(run: RunRow): { dir: string | null; files: string[] } {
  const dir = (run.config as { reportDir?: string | null }).reportDir ?? null;
  if (!dir || !existsSync(dir)) return { dir, files: [] };
  const present = new Set(readdirSync(dir));
  return { dir, files: REPORT_FILES.filter((f) => present.has(f)) };
}

/**
 * Removes a deleted run's report folder when the app created it (directly under `<dataDir>/reports/`); a folder
 * the user chose (`trimllm trim --report-dir`) is the user's and stays.
 */
export function removeAppReport(dataDir: string, dir: string | null): void {
  if (!dir) return;
  const inside = relative(join(dataDir, 'reports'), dir);
  if (inside === '' || inside.startsWith('..') || inside.includes(sep)) return;
  rmSync(dir, { recursive: true, force: true });
}
