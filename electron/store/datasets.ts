/**
 * Repository of datasets and their imported records. A dataset and all of its records are written in one
 * transaction: an import either lands whole or not at all.
 */
import { stmt, type Database } from './driver.ts';
import { fromJsonText, nowSeconds, rowId, toJsonText } from './values.ts';

/** Kind of task a dataset holds (DESIGN.md §1, "Performance P by task type"). */
export type TaskType = 'mcq' | 'yesno' | 'instruction' | 'chat' | 'text';

/** A split of a dataset. */
export type Split = 'train' | 'validation' | 'test';

/** The splits, in display order. */
export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

/** A dataset to import. */
export interface NewDataset {
  /** Display name. */
  name: string;
  /** Path of the imported file, as the user gave it. */
  source: string;
  /** File format, e.g. 'jsonl', 'csv', 'parquet'. */
  format: string;
  taskType: TaskType;
  /** How source fields map onto the normalised record (any JSON value). */
  mapping: unknown;
}

/** An imported dataset. */
export interface DatasetRow extends NewDataset {
  id: number;
  /** Number of records in each split. */
  counts: Record<Split, number>;
  /** Seconds since the Unix epoch. */
  createdAt: number;
}

/** One normalised record to import. */
export interface NewRecord {
  split: Split;
  /** The normalised record (any JSON value). */
  payload: unknown;
}

/** A stored record. */
export interface RecordRow {
  split: Split;
  /** 0-based position within its split, in import order. */
  idx: number;
  payload: unknown;
}

interface Row {
  id: number;
  name: string;
  source: string;
  format: string;
  task_type: TaskType;
  mapping: string;
  train_count: number;
  validation_count: number;
  test_count: number;
  created_at: number;
}

function toDataset(r: Row): DatasetRow {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    format: r.format,
    taskType: r.task_type,
    mapping: fromJsonText(r.mapping, `mapping of dataset ${r.id}`),
    counts: { train: r.train_count, validation: r.validation_count, test: r.test_count },
    createdAt: r.created_at,
  };
}

/**
 * Imports a dataset with all its records in one transaction. Records get consecutive `idx` per split in the
 * order given. The iterable is consumed synchronously inside the transaction.
 * @returns the new dataset's id.
 * @throws Error naming the 0-based position of the first record that cannot be stored (bad split, payload with
 *   no JSON form, …) or the problem with the dataset itself; nothing at all is written then.
 */
export function importDataset(db: Database, dataset: NewDataset, records: Iterable<NewRecord>): number {
  const run = db.transaction(() => {
    const id = rowId(
      stmt(
        db,
        `INSERT INTO datasets (name, source, format, task_type, mapping, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(
        dataset.name,
        dataset.source,
        dataset.format,
        dataset.taskType,
        toJsonText(dataset.mapping, 'dataset mapping'),
        nowSeconds(),
      ).lastInsertRowid,
    );
    const insert = stmt(db, 'INSERT INTO records (dataset_id, split, idx, payload) VALUES (?, ?, ?, ?)');
    const counts = new Map<string, number>();
    let position = 0;
    for (const record of records) {
      try {
        const idx = counts.get(record.split) ?? 0;
        insert.run(id, record.split, idx, toJsonText(record.payload, 'record'));
        counts.set(record.split, idx + 1);
      } catch (err) {
        throw new Error(`record ${position} (split "${String(record.split)}"): ${(err as Error).message}`, {
          cause: err,
        });
      }
      position++;
    }
    stmt(db, 'UPDATE datasets SET train_count = ?, validation_count = ?, test_count = ? WHERE id = ?').run(
      counts.get('train') ?? 0,
      counts.get('validation') ?? 0,
      counts.get('test') ?? 0,
      id,
    );
    return id;
  });
  try {
    return run.immediate();
  } catch (err) {
    throw new Error(`importing dataset "${dataset.name}" failed, nothing was imported: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The dataset with this id, or undefined. */
export function getDataset(db: Database, id: number): DatasetRow | undefined {
  const row = stmt<Row>(db, 'SELECT * FROM datasets WHERE id = ?').get(id);
  return row && toDataset(row);
}

/** All datasets, newest first. */
export function listDatasets(db: Database): DatasetRow[] {
  return stmt<Row>(db, 'SELECT * FROM datasets ORDER BY id DESC').all().map(toDataset);
}

/**
 * Records of one split in import order, `limit` of them from position `offset` (default: all).
 * @throws Error on a negative or non-integer offset/limit.
 */
export function listRecords(
  db: Database,
  datasetId: number,
  split: Split,
  page: { offset?: number; limit?: number } = {},
): RecordRow[] {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? -1; // SQLite: a negative LIMIT means no limit
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`offset must be a non-negative integer, got ${offset}`);
  if (!Number.isInteger(limit) || (page.limit !== undefined && limit < 0)) {
    throw new Error(`limit must be a non-negative integer, got ${page.limit}`);
  }
  return stmt<{ split: Split; idx: number; payload: string }>(
    db,
    `SELECT split, idx, payload FROM records WHERE dataset_id = ? AND split = ? AND idx >= ?
     ORDER BY idx LIMIT ?`,
  )
    .all(datasetId, split, offset, limit)
    .map((r) => ({ split: r.split, idx: r.idx, payload: fromJsonText(r.payload, `record ${r.idx}`) }));
}

/**
 * The records at the given positions of one split (e.g. a calibration sample), in the order asked.
 * @throws Error when a position does not exist.
 */
export function getRecords(db: Database, datasetId: number, split: Split, indices: readonly number[]): RecordRow[] {
  const get = stmt<{ payload: string }>(
    db,
    'SELECT payload FROM records WHERE dataset_id = ? AND split = ? AND idx = ?',
  );
  return db.transaction(() =>
    indices.map((idx) => {
      const row = get.get(datasetId, split, idx);
      if (!row) throw new Error(`dataset ${datasetId} has no ${split} record at position ${idx}`);
      return { split, idx, payload: fromJsonText(row.payload, `record ${idx}`) };
    }),
  )();
}

/**
 * Deletes a dataset and (by cascade) its records; its evaluations stay, without the dataset reference.
 * Call vacuum() afterwards to give the space back to the file system.
 * @returns false when there was no such dataset.
 * @throws Error naming the runs trained on it: delete those runs first.
 */
export function deleteDataset(db: Database, id: number): boolean {
  const remove = db.transaction(() => {
    const runs = stmt<{ id: number }>(db, 'SELECT id FROM runs WHERE dataset_id = ? ORDER BY id').all(id);
    if (runs.length > 0) {
      throw new Error(
        `dataset ${id} was used by ${runs.length} run(s) (ids ${runs.map((r) => r.id).join(', ')}); ` +
          'delete those runs first',
      );
    }
    return stmt(db, 'DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  });
  return remove.immediate();
}

/**
 * Renames a dataset (the display name only).
 * @returns false when there was no such dataset.
 */
export function renameDataset(db: Database, id: number, name: string): boolean {
  return stmt(db, 'UPDATE datasets SET name = ? WHERE id = ?').run(name, id).changes > 0;
}
