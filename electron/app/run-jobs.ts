/**
 * Start, resume and cancel a run: the checks and records every face shares. Where the run's job executes is the
 * face's business (the server's job runner in a worker process, the CLI in its own process with executeRun); the
 * server passes its runner as `TrimJobs`.
 */
import { RunSettingsSchema } from '../api/run-settings.ts';
import { createRun, getDataset, getModel, getRun, setRunPrediction, setRunStatus, type Database, type RunPrediction, type RunRow } from '../store/index.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { toRunConfig, type StoredRunConfig } from './run-config.ts';
import { newReportDir } from './run-report.ts';

/** What runs a trim job off the caller's thread (electron/jobs/runner.ts's JobRunner). */
export interface TrimJobs {
  /** The running trim job, or null. */
  activeTrim(): { jobId: string; runId: number } | null;
  /** Starts ('trim', a queued run) or resumes ('resume', an interrupted run) a stored run; returns the job id. */
  startTrim(runId: number, kind: 'trim' | 'resume'): string;
  /** Cancels the trim job of run `runId`; false when that run is not being trimmed. */
  cancelRun(runId: number): boolean;
}

/**
 * The run `id`.
 * @throws NotFoundError when the workspace has no such run
 */
export function requireRun(db: Database, id: number): RunRow {
  const run = getRun(db, id);
  if (!run) throw new NotFoundError(`no run ${id} in the workspace`);
  return run;
}

/** @throws NotFoundError when the model or the dataset does not exist */
export function requireModelAndDataset(db: Database, modelId: number, datasetId: number): void {
  if (!getModel(db, modelId)) throw new NotFoundError(`no model ${modelId} in the workspace`);
  if (!getDataset(db, datasetId)) throw new NotFoundError(`no dataset ${datasetId} in the workspace`);
}

/**
 * Records a new 'queued' run of model `modelId` on dataset `datasetId` with `config` (seeded by config.seed).
 * @returns the run id
 * @throws NotFoundError when the model or the dataset does not exist
 */
export function createQueuedRun(db: Database, modelId: number, datasetId: number, config: StoredRunConfig): number {
  requireModelAndDataset(db, modelId, datasetId);
  return createRun(db, { modelId, datasetId, config, seed: config.seed });
}

/**
 * Starts a new run from run settings (validated by RunSettingsSchema; its report goes to a new folder under
 * `<dataDir>/reports/`). A run whose job cannot start is recorded 'failed'. `prediction`, the estimate made
 * before Start with the same settings (runs.estimate), is stored with the run for its report; without one the
 * run makes its own when it starts (executeRun).
 * @throws NotFoundError for a missing model or dataset; ConflictError while another run is trimmed; ZodError for
 *   settings out of range; the runner's error when it cannot start the job
 */
export function startRun(
  db: Database, dataDir: string, jobs: TrimJobs, req: { modelId: number; datasetId: number; settings: unknown }, prediction?: RunPrediction,
): { runId: number; jobId: string } {
  requireModelAndDataset(db, req.modelId, req.datasetId);
  const active = jobs.activeTrim();
  if (active) throw new ConflictError(`run ${active.runId} is being trimmed; one trim runs at a time: cancel it or wait until it finishes`);
  const config = toRunConfig(RunSettingsSchema.parse(req.settings), newReportDir(dataDir));
  const runId = createRun(db, { modelId: req.modelId, datasetId: req.datasetId, config, seed: config.seed });
  if (prediction) setRunPrediction(db, runId, prediction);
  try {
    return { runId, jobId: jobs.startTrim(runId, 'trim') };
  } catch (e) {
    setRunStatus(db, runId, 'failed', { error: (e as Error).message });
    throw e;
  }
}

/**
 * Resumes an interrupted run from its last checkpoint.
 * @throws NotFoundError for a missing run; ConflictError when it is not 'interrupted'
 */
export function resumeRun(db: Database, jobs: TrimJobs, id: number): { runId: number; jobId: string } {
  const run = requireRun(db, id);
  if (run.status !== 'interrupted') throw new ConflictError(`run ${run.id} is ${run.status}; only an interrupted run can be resumed`);
  return { runId: run.id, jobId: jobs.startTrim(run.id, 'resume') };
}

/**
 * Cancels a run: its job stops at the next step with its last checkpoint (the run becomes 'interrupted'); a
 * queued run that has no job yet becomes 'cancelled'.
 * @returns false when the run is neither being trimmed nor queued
 * @throws NotFoundError for a missing run
 */
export function cancelRun(db: Database, jobs: TrimJobs, id: number): boolean {
  const run = requireRun(db, id);
  if (jobs.cancelRun(run.id)) return true;
  if (run.status !== 'queued') return false;
  setRunStatus(db, run.id, 'cancelled');
  return true;
}
