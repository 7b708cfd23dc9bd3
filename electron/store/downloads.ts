/**
 * Repository of Hub downloads (schema version 6): what was asked for (repo, revision, files), where it goes,
 * how far each file got, and how it ended. The bytes themselves are in `dest_dir` (`<file>.part` until complete),
 * so a download that was running when the app quit is marked 'interrupted' and resumes with HTTP Range requests.
 */
import { stmt, type Database } from './driver.ts';
import { fromJsonText, nowSeconds, rowId, toJsonText } from './values.ts';

/** How a download stands. */
export type DownloadStatus = 'running' | 'interrupted' | 'completed' | 'failed' | 'cancelled';

/** One file of a download. */
export interface DownloadFile {
  /** Path in the repo. */
  file: string;
  /** Bytes on disk (the `.part` while it downloads). */
  bytes: number;
  /** Size in bytes, or null until the server says. */
  total: number | null;
  /** True once the file is complete (and renamed from `.part`). */
  done: boolean;
}

/** A stored download. */
export interface DownloadRow {
  id: number;
  repo: string;
  revision: string;
  files: DownloadFile[];
  /** Absolute folder the files go to (each under its repo path). */
  destDir: string;
  status: DownloadStatus;
  /** The model imported from the finished download, or null. */
  modelId: number | null;
  error: string | null;
  /** Seconds since the Unix epoch. */
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: number;
  repo: string;
  revision: string;
  files: string;
  dest_dir: string;
  status: DownloadStatus;
  model_id: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

function toDownload(r: Row): DownloadRow {
  return {
    id: r.id, repo: r.repo, revision: r.revision, files: fromJsonText(r.files, `files of download ${r.id}`) as DownloadFile[],
    destDir: r.dest_dir, status: r.status, modelId: r.model_id, error: r.error, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/**
 * Stores a new download, 'running', with no bytes yet.
 * @returns its id
 * @throws SqliteError (CHECK) for an empty repo, revision or folder
 */
export function createDownload(db: Database, d: { repo: string; revision: string; files: readonly string[]; destDir: string }): number {
  const now = nowSeconds();
  const files: DownloadFile[] = d.files.map((file) => ({ file, bytes: 0, total: null, done: false }));
  return rowId(
    stmt(db, `INSERT INTO downloads (repo, revision, files, dest_dir, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'running', ?, ?)`)
      .run(d.repo, d.revision, toJsonText(files, 'download files'), d.destDir, now, now).lastInsertRowid,
  );
}

/** The download with this id, or undefined. */
export function getDownload(db: Database, id: number): DownloadRow | undefined {
  const row = stmt<Row>(db, 'SELECT * FROM downloads WHERE id = ?').get(id);
  return row && toDownload(row);
}

/** Every download, newest first. */
export function listDownloads(db: Database): DownloadRow[] {
  return stmt<Row>(db, 'SELECT * FROM downloads ORDER BY id DESC').all().map(toDownload);
}

/**
 * Records a download's progress and/or status (fields left out stay as they are).
 * @throws Error when there is no such download
 */
export function updateDownload(
  db: Database,
  id: number,
  change: { files?: readonly DownloadFile[]; status?: DownloadStatus; error?: string | null; modelId?: number | null },
): void {
  const result = stmt(
    db,
    `UPDATE downloads SET files = coalesce(@files, files), status = coalesce(@status, status),
       error = CASE WHEN @setError THEN @error ELSE error END,
       model_id = CASE WHEN @setModel THEN @modelId ELSE model_id END, updated_at = @now
     WHERE id = @id`,
  ).run({
    id, now: nowSeconds(), files: change.files ? toJsonText(change.files, 'download files') : null, status: change.status ?? null,
    setError: change.error !== undefined ? 1 : 0, error: change.error ?? null,
    setModel: change.modelId !== undefined ? 1 : 0, modelId: change.modelId ?? null,
  });
  if (result.changes === 0) throw new Error(`download ${id} does not exist`);
}

/**
 * Marks downloads left 'running' (by an app that quit or crashed) as 'interrupted'; call once at start-up.
 * @returns their ids
 */
export function markInterruptedDownloads(db: Database): number[] {
  return stmt<{ id: number }>(db, `UPDATE downloads SET status = 'interrupted', updated_at = ? WHERE status = 'running' RETURNING id`)
    .all(nowSeconds())
    .map((r) => r.id);
}
