/**
 * API methods about the engine, models and datasets (deleting and renaming one: service-files.ts). Anything that loads tfjs, reads weights or parses a
 * dataset file runs as a task in the utility worker (jobs/worker-tasks.ts); lists read SQLite directly.
 */
import type { z } from 'zod';
import type { METHODS, Response } from '../api/contract.ts';
import { parameterBreakdown } from '../../engine/model/params.ts';
import type { LlamaConfig } from '../../engine/model/config.ts';
import { deleteModel, getDataset, getModel, listDatasets, listModels, listRuns, type DatasetRow, type ModelRow } from '../store/index.ts';
import { asConflict, NotFoundError } from './errors.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

type ModelSummary = z.output<(typeof METHODS)['models.list']['response']>[number];

/** A model as the API lists it. */
export function modelSummary(m: ModelRow): ModelSummary {
  return {
    id: m.id, name: m.name, source: m.source, format: m.format, architecture: m.architecture,
    paramBytes: m.paramBytes, nLayers: (m.config as { nLayers?: number }).nLayers ?? 0,
  };
}

/** A dataset as the API lists it. */
export function datasetSummary(d: DatasetRow): Response<'datasets.import'> {
  return { id: d.id, name: d.name, source: d.source, taskType: d.taskType, counts: { ...d.counts } };
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

type CatalogMethod = 'system.doctor' | 'models.list' | 'models.import' | 'models.inspect' | 'models.delete' | 'datasets.list' | 'datasets.preview' | 'datasets.import';

/** Handlers of system.*, models.* and datasets.*. */
export function catalogHandlers(ctx: ServiceContext): Handlers<CatalogMethod> {
  return {
    'system.doctor': async () => {
      const r = await ctx.runner.runTask<Omit<Response<'system.doctor'>, 'dataDir'>>('doctor', {});
      return { ...r, dataDir: ctx.dataDir };
    },
    'models.list': () => listModels(ctx.db).map(modelSummary),
    'models.import': async (req) => {
      const { id } = await ctx.runner.runTask<{ id: number }>('import-model', defined(req));
      return modelSummary(getModel(ctx.db, id)!);
    },
    'models.inspect': (req) => {
      const m = getModel(ctx.db, req.id);
      if (!m) throw new NotFoundError(`no model ${req.id} in the workspace`);
      const config = m.config as LlamaConfig & Record<string, unknown>;
      const b = parameterBreakdown(config);
      return {
        config,
        subLayers: b.subLayers.map((s) => ({ name: s.name, parameters: s.parameters, bytes: s.bytes })),
        sharedBytes: b.shared.bytes,
        totalBytes: b.total.bytes,
      };
    },
    'models.delete': (req) => ({ ok: asConflict(() => deleteModel(ctx.db, req.id)) }),
    'datasets.list': () => listDatasets(ctx.db).map((d) => ({ ...datasetSummary(d), usedByRuns: listRuns(ctx.db, { datasetId: d.id }).map((r) => r.id) })),
    'datasets.preview': (req) => ctx.runner.runTask<Response<'datasets.preview'>>('preview-data', defined(req)),
    'datasets.import': async (req) => {
      const { id } = await ctx.runner.runTask<{ id: number }>('import-data', defined(req));
      return datasetSummary(getDataset(ctx.db, id)!);
    },
  };
}
