/**
 * The trim job inside a worker: executeRun (app/execute-run.ts) on a stored run with the job's abort signal (a
 * cancel stops training at the next step; the run keeps its last checkpoint and becomes 'interrupted').
 * executeRun writes every step, scan and checkpoint to SQLite; the runner turns those rows into live events
 * (run-progress.ts). The baselines trained at the end write no rows while they train: their progress is sent
 * from here as job.progress events (at most every PROGRESS_EVERY_MS; the engine yields to the event loop after
 * every step, so they leave the worker while it trains).
 */
import { selectBackend } from '../../engine/backend/select.ts';
import { executeRun } from '../app/execute-run.ts';
import type { JobContext, JobOutcome } from './worker-context.ts';
import type { TrimJobSpec } from './protocol.ts';

/** Least time between two baseline progress events (ms). */
export const PROGRESS_EVERY_MS = 250;

/**
 * Runs or resumes a stored run to its end (or to the checkpoint where a cancel stops it).
 * @returns completed, or interrupted when stopped by a cancel
 * @throws Error when the run, its model or dataset does not exist, or the engine fails (the run is then 'failed')
 */
export async function runTrimJob(ctx: JobContext, spec: TrimJobSpec): Promise<JobOutcome> {
  const backend = await selectBackend();
  let last = 0;
  let message: string | undefined;
  const report = await executeRun(ctx.db(), spec.runId, ctx.signal, backend.backend, {
    onMessage: (text) => {
      message = text;
    },
    onProgress: (p) => {
      if (p.phase === 'trimllm') return; // TrimLLM's steps are rows, turned into events by run-progress.ts
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS && p.done < p.total) return;
      last = now;
      ctx.emit('job.progress', {
        jobId: ctx.jobId, runId: spec.runId, phase: `baseline ${p.phase}`, epoch: p.epoch, done: p.done, total: p.total,
        loss: p.loss, etaSeconds: null, ...(message ? { message } : {}),
      });
    },
  });
  return { status: report ? 'completed' : 'interrupted' };
}
