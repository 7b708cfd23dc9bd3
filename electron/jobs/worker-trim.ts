/**
 * The trim job inside a worker: executeRun (cli/trim-job.ts) on a stored run with the job's abort signal (a
 * cancel stops training at the next step; the run keeps its last checkpoint and becomes 'interrupted').
 * executeRun writes every step, scan and checkpoint to SQLite; the runner turns those rows into live events
 * (run-progress.ts).
 */
import { selectBackend } from '../../engine/backend/select.ts';
import { executeRun } from '../cli/trim-job.ts';
import type { JobContext, JobOutcome } from './worker-context.ts';
import type { TrimJobSpec } from './protocol.ts';

/**
 * Runs or resumes a stored run to its end (or to the checkpoint where a cancel stops it).
 * @returns completed, or interrupted when stopped by a cancel
 * @throws Error when the run, its model or dataset does not exist, or the engine fails (the run is then 'failed')
 */
export async function runTrimJob(ctx: JobContext, spec: TrimJobSpec): Promise<JobOutcome> {
  const backend = await selectBackend();
  const report = await executeRun(ctx.db(), spec.runId, ctx.signal, backend.backend);
  return { status: report ? 'completed' : 'interrupted' };
}
