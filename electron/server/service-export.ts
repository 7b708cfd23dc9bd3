/**
 * API method `checkpoints.export`: writes a checkpoint as a Hugging Face folder or a GGUF file (+ Modelfile) where
 * the user says (electron/app/export-model.ts), streaming `export.progress` events. The model is loaded in the
 * service's own process for the few seconds the export takes.
 */
import { exportCheckpoint } from '../app/export-model.ts';
import { getCheckpoint } from '../store/index.ts';
import { NotFoundError } from './errors.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

/** The handler of checkpoints.export. */
export function exportHandlers(ctx: ServiceContext): Handlers<'checkpoints.export'> {
  return {
    'checkpoints.export': async (r) => {
      if (!getCheckpoint(ctx.db, r.id)) throw new NotFoundError(`no checkpoint ${r.id}`);
      const result = await exportCheckpoint(
        ctx.db, r.id,
        { format: r.format, dtype: r.dtype, destination: r.destination, ...(r.name ? { name: r.name } : {}) },
        (fraction) => ctx.events.emit('export.progress', { checkpointId: r.id, fraction }),
      );
      return {
        path: result.path, bytes: result.bytes, modelfile: result.modelfile ?? null, ollamaCommand: result.ollamaCommand ?? null,
        lmStudioFolder: result.lmStudioFolder ?? null, notes: result.notes,
      };
    },
  };
}
