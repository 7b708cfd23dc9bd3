/**
 * Hub downloads as jobs of the app (DESIGN.md §5: the only network access, started by the user). A download is
 * network and disk I/O, so it runs in the server's (or main process's) event loop, not in a worker; its record
 * and per-file byte counts are in SQLite (store/downloads.ts), its bytes in `<destDir>/<file>.part` until each file
 * is complete. Events: `download.progress` (about every 100 ms per file: bytes, total, speed, ETA) and
 * `download.finished`. Cancel keeps the `.part` files; resume (after a cancel, a failure or an app that quit
 * mid-download: markInterruptedDownloads) continues each one with an HTTP Range request. Once every file is there,
 * a llama2.c `.bin` (with its `tok*.bin`) or a Hugging Face folder is imported as a model.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { downloadHubFile, hubFileUrl, resolveHubEndpoint, type DownloadProgress } from '../hub/index.ts';
import {
  createDownload, getDownload, markInterruptedDownloads, updateDownload, type DownloadFile, type DownloadRow,
} from '../store/downloads.ts';
import type { Database } from '../store/index.ts';
import type { EventPayload } from '../api/contract.ts';
import type { EmitEvent } from './run-progress.ts';

/** Minimum time between two writes of a download's byte counts to SQLite (ms). */
export const PERSIST_INTERVAL_MS = 1000;

/** Options of HubDownloads. */
export interface HubDownloadsOptions {
  db: Database;
  /** The workspace folder: files go to `<dataDir>/models/<owner>--<name>/<revision>/`. */
  dataDir: string;
  /** The Hub endpoint to use now (the `hub.endpoint` setting), or undefined for HF_ENDPOINT / the public Hub. */
  endpoint: () => string | undefined;
  /** Where `download.progress` and `download.finished` go. */
  emit: EmitEvent;
  /** Imports a finished download as a model; returns its id. Absent: nothing is imported. */
  importModel?: (paths: { path: string; tokenizer?: string; name: string }) => Promise<number>;
}

/** What a finished download is imported as: a model path (a `.bin`, or a folder) and its tokenizer, or null. */
export function modelPathsOf(destDir: string, files: readonly string[]): { path: string; tokenizer?: string } | null {
  const hf = files.find((f) => f.endsWith('.safetensors') || f === 'config.json' || f.endsWith('/config.json'));
  if (hf) return { path: dirname(join(destDir, hf)) };
  const tokenizer = files.find((f) => /(^|\/)tok[^/]*\.bin$/.test(f));
  const model = files.find((f) => f.endsWith('.bin') && f !== tokenizer);
  if (!model) return null;
  return { path: join(destDir, model), ...(tokenizer ? { tokenizer: join(destDir, tokenizer) } : {}) };
}

/** The folder of a repo's files at a revision inside the workspace. */
export function downloadFolder(dataDir: string, repo: string, revision: string): string {
  return join(dataDir, 'models', repo.replace('/', '--'), revision.replace(/[^\w.-]/g, '_'));
}

interface Active {
  jobId: string;
  controller: AbortController;
  done: Promise<void>;
}

/** Starts, cancels and resumes Hub downloads. */
export class HubDownloads {
  private readonly active = new Map<number, Active>();

  /** Marks downloads a previous app left 'running' as 'interrupted' (resumable). */
  constructor(private readonly options: HubDownloadsOptions) {
    markInterruptedDownloads(options.db);
  }

  /** True while download `id` is transferring. */
  isActive(id: number): boolean {
    return this.active.has(id);
  }

  /**
   * Starts downloading `files` of `repo` at `revision`.
   * @returns the download's id and job id
   * @throws HubDownloadError('invalid-argument') for a malformed repo id, file path or endpoint (before anything is stored)
   */
  start(repo: string, files: readonly string[], revision = 'main'): { downloadId: number; jobId: string } {
    const endpoint = resolveHubEndpoint(this.options.endpoint());
    for (const file of files) hubFileUrl(endpoint, repo, revision, file); // throws on a malformed repo id or path
    const destDir = downloadFolder(this.options.dataDir, repo, revision);
    const downloadId = createDownload(this.options.db, { repo, revision, files, destDir });
    return { downloadId, jobId: this.run(downloadId) };
  }

  /**
   * Continues a cancelled, failed or interrupted download from the bytes already on disk.
   * @throws Error when there is no such download, or it is running or completed
   */
  resume(id: number): { downloadId: number; jobId: string } {
    const d = getDownload(this.options.db, id);
    if (!d) throw new Error(`no download ${id} in the workspace`);
    if (this.active.has(id)) throw new Error(`download ${id} is already running`);
    if (d.status === 'completed') throw new Error(`download ${id} is complete; nothing to resume`);
    updateDownload(this.options.db, id, { status: 'running', error: null });
    return { downloadId: id, jobId: this.run(id) };
  }

  /** Stops download `id` (its `.part` files stay for a resume). @returns false when it is not running */
  cancel(id: number): boolean {
    const a = this.active.get(id);
    if (!a) return false;
    a.controller.abort();
    return true;
  }

  /** Stops every download and waits until each has recorded its state. */
  async close(): Promise<void> {
    const waits = [...this.active.values()].map((a) => {
      a.controller.abort();
      return a.done;
    });
    await Promise.all(waits);
  }

  private run(id: number): string {
    const jobId = randomUUID();
    const controller = new AbortController();
    // Not active any more by the time download.finished is seen, so a resume right after it is accepted.
    const done = this.transfer(id, jobId, controller.signal).then((finished) => {
      this.active.delete(id);
      this.options.emit('download.finished', finished);
    });
    this.active.set(id, { jobId, controller, done });
    return jobId;
  }

  private async transfer(id: number, jobId: string, signal: AbortSignal): Promise<EventPayload<'download.finished'>> {
    const { db, emit } = this.options;
    const d = getDownload(db, id)!;
    const files: DownloadFile[] = d.files.map((f) => ({ ...f }));
    let lastPersist = 0;
    const persist = (force: boolean) => {
      const now = Date.now();
      if (!force && now - lastPersist < PERSIST_INTERVAL_MS) return;
      lastPersist = now;
      updateDownload(db, id, { files });
    };
    try {
      const endpoint = this.options.endpoint();
      for (const [index, f] of files.entries()) {
        if (f.done) continue;
        const onProgress = (p: DownloadProgress) => {
          f.bytes = p.bytes;
          f.total = p.total;
          persist(false);
          emit('download.progress', {
            downloadId: id, jobId, file: f.file, fileIndex: index, files: files.length, bytes: p.bytes, total: p.total,
            bytesPerSecond: p.bytesPerSecond, etaSeconds: p.etaSeconds,
          });
        };
        const r = await downloadHubFile({
          repo: d.repo, file: f.file, revision: d.revision, dest: join(d.destDir, f.file), signal, onProgress,
          ...(endpoint ? { endpoint } : {}),
        });
        Object.assign(f, { bytes: r.bytes, total: r.bytes, done: true });
        persist(true);
      }
      const modelId = await this.importModel(d);
      updateDownload(db, id, { files, status: 'completed', error: null, modelId });
      return { downloadId: id, jobId, status: 'completed', modelId };
    } catch (e) {
      const cancelled = signal.aborted;
      const error = cancelled ? null : (e as Error).message;
      try {
        updateDownload(db, id, { files, status: cancelled ? 'cancelled' : 'failed', error });
      } catch {
        // The database was closed under us (the app is quitting): the record stays 'running' → 'interrupted'.
      }
      return { downloadId: id, jobId, status: cancelled ? 'cancelled' : 'failed', modelId: null, ...(error ? { error } : {}) };
    }
  }

  private async importModel(d: DownloadRow): Promise<number | null> {
    const paths = modelPathsOf(d.destDir, d.files.map((f) => f.file));
    if (!paths || !this.options.importModel) return null;
    const file = d.files.find((f) => f.file.endsWith('.bin') && !/(^|\/)tok[^/]*\.bin$/.test(f.file))?.file;
    const name = `${d.repo}${file ? `/${file.replace(/\.bin$/, '')}` : ''}`;
    return this.options.importModel({ ...paths, name });
  }
}
