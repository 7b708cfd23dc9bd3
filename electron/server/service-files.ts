/**
 * API methods for people who are not ML engineers: picking files (a folder browser limited to home and the data
 * directory; the desktop app answers files.choose with its native dialog instead, electron/main/index.ts),
 * naming and deleting datasets (with the runs trained on them), and the names of the models /v1 serves.
 */
import { homedir } from 'node:os';
import { browseFolder, BrowseError } from '../app/browse-folder.ts';
import { deleteDatasetWithRuns } from '../app/delete-records.ts';
import { getDataset, listCheckpoints, listModels, listRuns, renameDataset } from '../store/index.ts';
import { servedModelId } from './openai.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { Handler, Handlers, ServiceContext } from './service-types.ts';

type FilesMethod = 'datasets.delete' | 'datasets.rename' | 'files.browse' | 'files.choose' | 'server.models';

/**
 * The display name of a checkpoint wherever the app shows it (run table, chat picker, server panel):
 * `stories260K · run 1 · drop 2: -mlp3 (8/10 kept)`.
 */
export function checkpointDisplayName(modelName: string, runId: number, c: { label: string; keepMask: readonly boolean[] }): string {
  const label = c.label === 'done' ? 'final model' : c.label;
  return `${modelName} · run ${runId} · ${label} (${c.keepMask.filter(Boolean).length}/${c.keepMask.length} kept)`;
}

/** Handlers of the methods above; `deleteRun` is runs.delete's handler (it also removes the run's report). */
export function filesHandlers(ctx: ServiceContext, deleteRun: Handler<'runs.delete'>): Handlers<FilesMethod> {
  return {
    'datasets.delete': async (req) => ({ ok: await deleteDatasetWithRuns(ctx.db, req.id, req.withRuns ?? false, (id) => deleteRun({ id })) }),
    'datasets.rename': (req) => {
      if (!getDataset(ctx.db, req.id)) throw new NotFoundError(`no dataset ${req.id} in the workspace`);
      return { ok: renameDataset(ctx.db, req.id, req.name) };
    },
    'files.browse': (req) => {
      try {
        return browseFolder(req.path, [{ label: 'Home', path: homedir() }, { label: 'Data folder', path: ctx.dataDir }]);
      } catch (e) {
        throw e instanceof BrowseError ? new ConflictError(e.message) : e;
      }
    },
    'files.choose': () => {
      throw new ConflictError('the native file dialog exists only in the desktop app; use the folder browser');
    },
    'server.models': () => {
      const rows = listModels(ctx.db).sort((a, b) => a.id - b.id);
      // Two imports with one name are told apart by their import number.
      const named = (m: { id: number; name: string }) => (rows.filter((r) => r.name === m.name).length > 1 ? `${m.name} (import ${m.id})` : m.name);
      const models = new Map(rows.map((m) => [m.id, { name: named(m), contextTokens: (m.config as { maxSeqLen?: number }).maxSeqLen ?? null }]));
      const out = [...models].map(([id, m]) => ({ id: servedModelId({ modelId: id }), ...m }));
      for (const run of listRuns(ctx.db).reverse()) {
        const model = models.get(run.modelId) ?? { name: `model ${run.modelId}`, contextTokens: null };
        for (const c of listCheckpoints(ctx.db, run.id)) {
          out.push({ id: servedModelId({ checkpointId: c.id }), name: checkpointDisplayName(model.name, run.id, c), contextTokens: model.contextTokens });
        }
      }
      return out;
    },
  };
}
