/**
 * API methods of trim runs. Starting, resuming, cancelling and deleting a run are use cases of the application
 * layer (app/run-jobs.ts, app/delete-records.ts); the run executes in the job runner's worker, its progress is
 * in SQLite and streamed as events. The estimate before a run is measured in the utility worker (app/run-plan.ts)
 * and kept for a run started next with the same settings (app/recent-estimates.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Response } from '../api/contract.ts';
import { readResumeState } from '../app/resume-state.ts';
import { newReportDir, reportOf } from '../app/run-report.ts';
import { cancelRun, requireModelAndDataset, requireRun, resumeRun, startRun } from '../app/run-jobs.ts';
import { RecentEstimates } from '../app/recent-estimates.ts';
import { toRunConfig } from '../app/run-config.ts';
import { RunSettingsSchema } from '../api/run-settings.ts';
import { deleteRunWithReport } from '../app/delete-records.ts';
import {
  getModel, listCheckpoints, listImportanceScans, listRunComparison, listRunEvents, listRuns, type CheckpointRow, type RunRow,
} from '../store/index.ts';
import { asConflict, ConflictError, NotFoundError } from './errors.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

type RunSummary = Response<'runs.list'>[number];

function runSummary(r: RunRow): RunSummary {
  return { id: r.id, modelId: r.modelId, datasetId: r.datasetId, status: r.status, backend: r.backend, createdAt: r.createdAt, error: r.error, config: r.config };
}

/**
 * What runs.get shows of a checkpoint's metrics: its report entry (test-split P, bytes, tokens/s; null for the
 * final 'done' marker), the schedule phase, epochs done, why dropping stopped, and validation P after it.
 */
function checkpointMetrics(c: CheckpointRow): unknown {
  const m = c.metrics as { entry?: unknown };
  const state = readResumeState(c);
  return {
    entry: m.entry ?? null, phase: state?.phase ?? null, epochsDone: state?.epochsDone ?? c.epoch,
    stopReason: state?.stopReason ?? null, validation: state?.validation.at(-1)?.performance ?? null,
  };
}

type RunMethod = 'runs.list' | 'runs.get' | 'runs.start' | 'runs.estimate' | 'runs.resume' | 'runs.cancel' | 'runs.report' | 'runs.delete';

/** Handlers of runs.*. */
export function runHandlers(ctx: ServiceContext): Handlers<RunMethod> {
  const estimates = new RecentEstimates();
  return {
    'runs.list': () => listRuns(ctx.db).map(runSummary),
    'runs.get': (req) => {
      const run = requireRun(ctx.db, req.id);
      const model = getModel(ctx.db, run.modelId);
      return {
        run: runSummary(run),
        checkpoints: listCheckpoints(ctx.db, run.id).map((c) => ({
          id: c.id, label: c.label, step: c.step, epoch: c.epoch, keepMask: [...c.keepMask], metrics: checkpointMetrics(c), paramBytes: c.paramBytes,
        })),
        events: listRunEvents(ctx.db, run.id).map((e) => ({ step: e.step, epoch: e.epoch, loss: e.loss, lr: e.lr, tokensPerSecond: e.tokensPerSecond })),
        scans: listImportanceScans(ctx.db, run.id),
        nLayers: (model?.config as { nLayers?: number } | undefined)?.nLayers ?? 0,
        comparison: listRunComparison(ctx.db, run.id),
        report: reportOf(run),
      };
    },
    'runs.report': async (req) => {
      const run = requireRun(ctx.db, req.id);
      const { dir, files } = reportOf(run);
      if (!dir || !files.includes(req.file)) throw new NotFoundError(`run ${run.id} has no ${req.file} (its report is written when the run completes)`);
      const path = join(dir, req.file);
      return { file: req.file, path, content: await readFile(path, 'utf8') };
    },
    'runs.delete': (req) => {
      const run = requireRun(ctx.db, req.id);
      if (ctx.runner.activeTrim()?.runId === run.id) throw new ConflictError(`run ${run.id} is being trimmed; cancel it before deleting it`);
      return { ok: asConflict(() => deleteRunWithReport(ctx.db, ctx.dataDir, run.id)) };
    },
    'runs.estimate': async (req) => {
      requireModelAndDataset(ctx.db, req.modelId, req.datasetId);
      // the run Start makes writes a report (run-jobs.ts startRun): the estimate plans its GGUF files too
      const config = toRunConfig(RunSettingsSchema.parse(req.settings), newReportDir(ctx.dataDir));
      const view = await ctx.runner.runTask<Response<'runs.estimate'>>('estimate-run', { modelId: req.modelId, datasetId: req.datasetId, config });
      estimates.remember(req, { seconds: view.seconds, uncertainty: view.uncertainty });
      return view;
    },
    'runs.start': (req) => startRun(ctx.db, ctx.dataDir, ctx.runner, req, estimates.find(req)),
    'runs.resume': (req) => resumeRun(ctx.db, ctx.runner, req.id),
    'runs.cancel': (req) => ({ ok: cancelRun(ctx.db, ctx.runner, req.id) }),
  };
}
