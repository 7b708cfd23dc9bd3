/**
 * Handlers of evaluations.*: start an evaluation job (models × datasets × split; cells already stored are
 * reused), list a run's stored cells (its base model and checkpoints on every dataset), cancel a job.
 */
import { planEvaluation } from '../app/evaluation-job.ts';
import { cellView, runCells } from '../app/evaluation-view.ts';
import { getRun } from '../store/index.ts';
import { NotFoundError } from './errors.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

type EvaluationMethod = 'evaluations.start' | 'evaluations.list' | 'evaluations.cancel';

/** Handlers of evaluations.*. */
export function evaluationHandlers(ctx: ServiceContext): Handlers<EvaluationMethod> {
  return {
    'evaluations.start': (req) => {
      const request = { models: req.models, datasetIds: req.datasetIds, split: req.split, ...(req.maxRecords !== undefined ? { maxRecords: req.maxRecords } : {}) };
      let cells;
      try {
        cells = planEvaluation(ctx.db, request);
      } catch (e) {
        throw /^no (model|checkpoint|dataset) /.test((e as Error).message) ? new NotFoundError((e as Error).message) : e;
      }
      const jobId = ctx.runner.startEvaluation({ kind: 'evaluate', ...request });
      return { jobId, cells: cells.map((c) => cellView(ctx.db, c)) };
    },
    'evaluations.list': (req) => {
      if (!getRun(ctx.db, req.runId)) throw new NotFoundError(`no run ${req.runId} in the workspace`);
      return runCells(ctx.db, req.runId);
    },
    'evaluations.cancel': (req) => ({ ok: ctx.runner.cancel(req.jobId) }),
  };
}
