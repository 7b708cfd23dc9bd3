/**
 * Writes the report of a trim run into a folder: report.json (the whole TrimReport), report.md, loss.svg,
 * layer-map.svg and frontier.svg. Each file is written to a temporary name in the same folder, flushed, then
 * renamed over the final name, so a reader never sees a half-written file.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { makeFolder } from '../io/folders.ts';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { validateReport, type TrimReport } from './types.ts';
import { renderMarkdown } from './markdown.ts';
import { renderLossPlot } from './plot-loss.ts';
import { renderLayerMap } from './plot-layer-map.ts';
import { renderFrontierPlot } from './plot-frontier.ts';

/** File names writeReport produces, in the order it writes them. */
export const REPORT_FILES = ['report.json', 'report.md', 'loss.svg', 'layer-map.svg', 'frontier.svg'] as const;

/**
 * Writes `text` to `path` atomically: temp file in the same folder → fsync → rename.
 * @throws the file system's error (the temp file is removed)
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** The file or folder name of a model/dataset source (`/data/models/stories260K.bin` → `stories260K.bin`); a plain name unchanged. */
export function sourceName(source: string): string {
  const trimmed = source.replace(/[\\/]+$/, '');
  return trimmed.split(/[\\/]/).at(-1) || source;
}

/** Renders every report file without writing: file name → contents. @throws Error when the report is invalid */
export function renderReport(report: TrimReport): Record<(typeof REPORT_FILES)[number], string> {
  validateReport(report);
  // Plot titles name the model and dataset by file name: full paths do not fit a plot's width.
  const on = `${sourceName(report.model)} on ${sourceName(report.dataset)}`;
  const title = `${report.title} — ${on}`;
  return {
    'report.json': JSON.stringify(report, null, 2) + '\n',
    'report.md': renderMarkdown(report),
    'loss.svg': renderLossPlot(report.losses, report.drops, `Training loss — ${on}`),
    'layer-map.svg': renderLayerMap(report.nLayers, report.drops, 'Sub-layers dropped, by training step'),
    'frontier.svg': renderFrontierPlot(report.entries, report.nLayers, `Frontier — ${title}`, report.comparison),
  };
}

/**
 * Writes the report files into `dir` (created when missing).
 * @returns the absolute-or-relative paths written (as joined with dir)
 * @throws Error when the report is invalid (nothing is written), naming the folder when it cannot be created
 *   (makeFolder), or the file system's error
 */
export async function writeReport(dir: string, report: TrimReport): Promise<string[]> {
  const files = renderReport(report);
  makeFolder(dir);
  const written: string[] = [];
  for (const name of REPORT_FILES) {
    const path = join(dir, name);
    await writeFileAtomic(path, files[name]);
    written.push(path);
  }
  return written;
}

/**
 * Reads and validates a report.json.
 * @throws Error naming the file when it is not valid JSON or not a valid report
 */
export async function readReport(path: string): Promise<TrimReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not a readable JSON report (${(e as Error).message})`);
  }
  try {
    validateReport(parsed as TrimReport);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return parsed as TrimReport;
}
