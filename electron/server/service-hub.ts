/**
 * API methods of Hub downloads (hub.*) and of the workspace database's upkeep (store.vacuum, store.backup).
 * Downloads run in this process's event loop (network and disk I/O only; jobs/downloads.ts); a finished one is
 * imported as a model in the utility worker. The Hub endpoint is the `hub.endpoint` setting when set.
 */
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { backupDatabase, compactDatabase, getSetting } from '../store/index.ts';
import { listDownloads } from '../store/downloads.ts';
import { HubDownloads } from '../jobs/downloads.ts';
import { asConflict, ConflictError } from './errors.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

/** Size of a file in bytes, 0 when it does not exist. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A backup file name for `date`: trimllm-2026-11-29T18-30-05.db. */
export function backupFileName(date: Date): string {
  return `trimllm-${date.toISOString().slice(0, 19).replace(/:/g, '-')}.db`;
}

type HubMethod = 'hub.download' | 'hub.downloads' | 'hub.cancel' | 'hub.resume' | 'store.vacuum' | 'store.backup';

/** Handlers of hub.* and store.*, and the downloads they run (close() stops them). */
export function hubHandlers(ctx: ServiceContext): { handlers: Handlers<HubMethod>; downloads: HubDownloads } {
  const downloads = new HubDownloads({
    db: ctx.db, dataDir: ctx.dataDir,
    endpoint: () => getSetting(ctx.db, 'hub.endpoint', z.string()),
    emit: (event, payload) => ctx.events.emit(event, payload),
    importModel: async (p) => (await ctx.runner.runTask<{ id: number }>('import-model', { ...p })).id,
  });
  const handlers: Handlers<HubMethod> = {
    'hub.download': (req) => downloads.start(req.repo, req.files, req.revision),
    'hub.downloads': () => listDownloads(ctx.db).map((d) => ({
      id: d.id, repo: d.repo, revision: d.revision, destDir: d.destDir, status: d.status, modelId: d.modelId, error: d.error,
      files: d.files, createdAt: d.createdAt, active: downloads.isActive(d.id),
    })),
    'hub.cancel': (req) => ({ ok: downloads.cancel(req.id) }),
    'hub.resume': (req) => asConflict(() => downloads.resume(req.id)),
    'store.vacuum': () => {
      const trim = ctx.runner.activeTrim();
      if (trim) throw new ConflictError(`run ${trim.runId} is being trimmed and writes to the database; reclaim space once it has finished or been cancelled`);
      return compactDatabase(ctx.db);
    },
    'store.backup': async () => {
      const dir = join(ctx.dataDir, 'backups');
      await mkdir(dir, { recursive: true });
      const path = join(dir, backupFileName(new Date()));
      await backupDatabase(ctx.db, path);
      return { path, bytes: sizeOf(path) };
    },
  };
  return { handlers, downloads };
}
