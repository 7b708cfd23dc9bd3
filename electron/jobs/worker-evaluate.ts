/**
 * The evaluation job inside a worker: runEvaluationJob (electron/app/evaluation-job.ts) with the job's abort
 * signal. Each finished or reused cell is sent as an evaluation.cell event (the matrix fills in live); items
 * scored within a cell as job.progress events, at most every PROGRESS_EVERY_MS. A cancel stops it between
 * batches: cells already finished stay stored, the one being scored leaves nothing.
 */
import { selectBackend } from '../../engine/backend/select.ts';
import { runEvaluationJob } from '../app/evaluation-job.ts';
import { cellView } from '../app/evaluation-view.ts';
import type { EvaluateJobSpec } from './protocol.ts';
import type { JobContext, JobOutcome } from './worker-context.ts';
import { PROGRESS_EVERY_MS } from './worker-trim.ts';

/**
 * Runs or resumes an evaluation job.
 * @returns completed, or cancelled when stopped by a cancel (the result lists the cells stored)
 * @throws Error when a model, checkpoint or dataset does not exist, or the evaluator fails
 */
export async function runEvaluateJob(ctx: JobContext, spec: EvaluateJobSpec): Promise<JobOutcome> {
  const backend = await selectBackend();
  const db = ctx.db();
  let last = 0;
  const out = await runEvaluationJob(db, spec, {
    backend: backend.backend, signal: ctx.signal,
    onProgress: (p) => {
      if (p.phase !== 'scoring') {
        ctx.emit('evaluation.cell', { jobId: ctx.jobId, cellsDone: p.cellsDone, cellsTotal: p.cellsTotal, cell: cellView(db, p.cell) });
        return;
      }
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS && p.itemsDone < p.itemsTotal) return;
      last = now;
      ctx.emit('job.progress', {
        jobId: ctx.jobId, phase: 'evaluate', epoch: 0, done: p.itemsDone, total: p.itemsTotal, etaSeconds: null,
        message: `${p.cell.modelLabel} on ${p.cell.datasetName} (${p.cellsDone + 1} of ${p.cellsTotal})`,
      });
    },
  });
  return { status: out.status, result: { computed: out.computed, reused: out.reused } };
}
