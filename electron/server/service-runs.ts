/**
 * API methods of trim runs. A run is created from the UI's settings (RunSettings, CLI-only ones at their
 * defaults) by toRunConfig, as `trimllm trim` builds it, then executed by the job runner in a worker; its progress is in SQLite and
 * streamed as events.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Response } from '../api/contract.ts';
import { RunSettingsSchema } from '../api/run-settings.ts';
import { toRunConfig } from '../app/run-config.ts';
import { readResumeState } from '../app/resume-state.ts';
import {
  createRun, deleteRun, getDataset, getModel, getRun, listCheckpoints, listImportanceScans, listRunComparison, listRunEvents, listRuns,
  setRunStatus, type CheckpointRow, type RunRow,
} from '../store/index.ts';
import { asConflict, ConflictError, NotFoundError } from './errors.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

/** The files a completed run's report folder holds (engine/report/write.ts). */
export const REPORT_FILES = ['report.md', 'report.json', 'loss.svg', 'layer-map.svg', 'frontier.svg'] as const;

/** A new report folder under the workspace for a run started from the API: `<dataDir>/reports/run-<time>-<random>`. */
export function newReportDir(dataDir: string, now = new Date()): string {
  return join(dataDir, 'reports', `run-${now.toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${Math.random().toString(36).slice(2, 6)}`);
}


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

function requireRun(ctx: ServiceContext, id: number): RunRow {
  const run = getRun(ctx.db, id);
  if (!run) throw new NotFoundError(`no run ${id} in the workspace`);
  return run;
}

function reportOf(run: RunRow): { dir: string | null; files: string[] } {
  const dir = (run.config as { reportDir?: string | null }).reportDir ?? null;
  if (!dir || !existsSync(dir)) return { dir, files: [] };
  const present = new Set(readdirSync(dir));
  return { dir, files: REPORT_FILES.filter((f) => present.has(f)) };
}

/**
 * Removes a deleted run's report folder when the app created it (under `<dataDir>/reports/`); a folder the user
 * chose (`trimllm trim --report-dir`) is the user's and stays.
 */
function removeAppReport(dataDir: string, dir: string | null): void {
  if (!dir) return;
  const inside = relative(join(dataDir, 'reports'), dir);
  if (inside === '' || inside.startsWith('..') || inside.includes(sep)) return;
  rmSync(dir, { recursive: true, force: true });
}

type RunMethod = 'runs.list' | 'runs.get' | 'runs.start' | 'runs.resume' | 'runs.cancel' | 'runs.report' | 'runs.delete';

/** Handlers of runs.*. */
export function runHandlers(ctx: ServiceContext): Handlers<RunMethod> {
  return {
    'runs.list': () => listRuns(ctx.db).map(runSummary),
    'runs.get': (req) => {
      const run = requireRun(ctx, req.id);
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
      const run = requireRun(ctx, req.id);
      const { dir, files } = reportOf(run);
      if (!dir || !files.includes(req.file)) throw new NotFoundError(`run ${run.id} has no ${req.file} (its report is written when the run completes)`);
      const path = join(dir, req.file);
      return { file: req.file, path, content: await readFile(path, 'utf8') };
    },
    'runs.delete': (req) => {
      const run = requireRun(ctx, req.id);
      if (ctx.runner.activeTrim()?.runId === run.id) throw new ConflictError(`run ${run.id} is being trimmed; cancel it before deleting it`);
      const ok = asConflict(() => deleteRun(ctx.db, run.id));
      removeAppReport(ctx.dataDir, reportOf(run).dir);
      return { ok };
    },
    'runs.start': (req) => {
      if (!getModel(ctx.db, req.modelId)) throw new NotFoundError(`no model ${req.modelId} in the workspace`);
      if (!getDataset(ctx.db, req.datasetId)) throw new NotFoundError(`no dataset ${req.datasetId} in the workspace`);
      const active = ctx.runner.activeTrim();
      if (active) throw new ConflictError(`run ${active.runId} is being trimmed; one trim runs at a time: cancel it or wait until it finishes`);
      const config = toRunConfig(RunSettingsSchema.parse(req.settings), newReportDir(ctx.dataDir));
      const runId = createRun(ctx.db, { modelId: req.modelId, datasetId: req.datasetId, config, seed: config.seed });
      try {
        return { runId, jobId: ctx.runner.startTrim(runId, 'trim') };
      } catch (e) {
        setRunStatus(ctx.db, runId, 'failed', { error: (e as Error).message });
        throw e;
      }
    },
    'runs.resume': (req) => {
      const run = requireRun(ctx, req.id);
      if (run.status !== 'interrupted') throw new ConflictError(`run ${run.id} is ${run.status}; only an interrupted run can be resumed`);
      return { runId: run.id, jobId: ctx.runner.startTrim(run.id, 'resume') };
    },
    'runs.cancel': (req) => {
      const run = requireRun(ctx, req.id);
      if (ctx.runner.cancelRun(run.id)) return { ok: true };
      if (run.status === 'queued') {
        setRunStatus(ctx.db, run.id, 'cancelled');
        return { ok: true };
      }
      return { ok: false };
    },
  };
}
