/** Importing a dataset (detected or mapped task type) into the workspace: used by the CLI, the worker and `trim`. */
import { extname, resolve } from 'node:path';
import { defaultDatasetName } from './dataset-name.ts';
import {
  importDataset as readDataset, parseMappingArgs, formatSkipped, TASK_TYPES, type TaskType,
} from '../../engine/data/index.ts';
import { createHash } from 'node:crypto';
import {
  importDataset, listDatasets, listRecords, SPLITS, storageError, type Database, type Split,
} from '../store/index.ts';
import { announcePhase } from './phase-announce.ts';
import type { AppEvents } from './events.ts';

/** Skipped records listed one per line; the rest are counted. */
const SKIPPED_SHOWN = 20;

/** SHA-256 over a dataset's records, split by split (train, validation, test), each in its import order. */
function recordsDigest(bySplit: (split: Split) => unknown[]): string {
  const hash = createHash('sha256');
  for (const split of SPLITS) {
    for (const payload of bySplit(split)) hash.update(`${split}\t${JSON.stringify(payload)}\n`);
  }
  return hash.digest('hex');
}

/**
 * The id of a stored dataset imported from `source` with the same task type, mapping and records (split
 * included), or undefined. Compares contents, so an edited file at the same path is a new dataset.
 */
function findSameDataset(
  db: Database, source: string, taskType: string, mapping: unknown, records: readonly { split: Split }[],
): number | undefined {
  const candidates = listDatasets(db).filter((d) => d.source === source && d.taskType === taskType &&
    JSON.stringify(d.mapping) === JSON.stringify(mapping) && SPLITS.every((sp) => d.counts[sp] === records.filter((r) => r.split === sp).length));
  if (candidates.length === 0) return undefined;
  const digest = recordsDigest((split) => records.filter((r) => r.split === split));
  return candidates.find((d) => recordsDigest((split) => listRecords(db, d.id, split).map((r) => r.payload)) === digest)?.id;
}

/**
 * Reads, normalises and stores a dataset; reports skipped records (file, line/row, field, reason).
 * With `reuse` (used by `trim`), a dataset already imported from the same path with the same task type, mapping
 * and records is used instead of a second copy.
 * @returns the dataset id, new or reused
 * @throws Error for a bad task type or a mapping without one; the reader's errors name the file, record and field
 */
export async function registerDataset(
  db: Database, path: string,
  options: { task?: string; map?: string; name?: string; maxRows?: number; maxRecordMb?: number; reuse?: boolean } = {},
  events: AppEvents = {},
): Promise<number> {
  if (options.task && !TASK_TYPES.includes(options.task as TaskType)) {
    throw new Error(`task type must be one of ${TASK_TYPES.join(', ')}`);
  }
  if (options.map && !options.task) throw new Error('a field mapping needs a task type (the task type the fields map onto)');
  announcePhase('import-read', resolve(path));
  const result = await readDataset(resolve(path), {
    ...(options.task ? { task: options.task as TaskType } : {}),
    ...(options.map ? { mapping: parseMappingArgs(options.task!, options.map) } : {}),
    ...(options.maxRows ? { maxRows: options.maxRows } : {}),
    ...(options.maxRecordMb ? { maxRecordBytes: Math.round(options.maxRecordMb * 1e6) } : {}),
  });
  for (const s of result.skipped.slice(0, SKIPPED_SHOWN)) events.onMessage?.(`skipped ${formatSkipped(s)}`);
  if (result.skipped.length > SKIPPED_SHOWN) events.onMessage?.(`… and ${result.skipped.length - SKIPPED_SHOWN} more skipped records`);
  if (options.reuse) {
    const same = findSameDataset(db, resolve(path), result.taskType, result.mapping, result.records);
    if (same !== undefined) {
      events.onMessage?.(`using dataset ${same} (already imported from ${resolve(path)}, same records)`);
      return same;
    }
  }
  announcePhase('import-write', `${result.records.length} records`);
  let id: number;
  try {
    id = importDataset(
      db,
      { name: options.name ?? defaultDatasetName(path), source: resolve(path), format: extname(path).slice(1) || 'folder', taskType: result.taskType, mapping: result.mapping },
      result.records.map((r) => ({ split: r.split, payload: r })),
    );
  } catch (e) {
    throw storageError(e, db.name) ?? e;
  }
  announcePhase('import-done', `${result.records.length} records`);
  const c = result.splits.counts;
  events.onMessage?.(
    `dataset ${id}: ${result.records.length} ${result.taskType} record${result.records.length === 1 ? '' : 's'} (train ${c.train}, validation ${c.validation}, test ${c.test}); ` +
      `${result.skipped.length} skipped`,
  );
  for (const n of result.notes) events.onMessage?.(`note: ${n}`);
  return id;
}
