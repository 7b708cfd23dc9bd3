/**
 * API methods of Hub downloads (hub.*) and of the workspace database's upkeep (store.vacuum, store.backup:
 * app/maintenance.ts).
 * Downloads run in this process's event loop (network and disk I/O only; jobs/downloads.ts); a finished one is
 * imported as a model in the utility worker. The Hub endpoint is the `hub.endpoint` setting when set.
 */
import { z } from 'zod';
import { backupWorkspace, vacuumWorkspace } from '../app/maintenance.ts';
import { getSetting } from '../store/index.ts';
import { listDownloads } from '../store/downloads.ts';
import { HubDownloads } from '../jobs/downloads.ts';
import { asConflict } from './errors.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

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
    'store.vacuum': () => vacuumWorkspace(ctx.db, ctx.runner.activeTrim()?.runId ?? null),
    'store.backup': async () => {
      const { path, bytes } = await backupWorkspace(ctx.db, ctx.dataDir);
      return { path, bytes };
    },
  };
  return { handlers, downloads };
}
