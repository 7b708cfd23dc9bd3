/**
 * The utility worker and its queue: chat generations and short tasks run one at a time, in order of arrival,
 * in one long-lived worker (started on first use, so its loaded model stays cached between messages). A worker
 * that dies fails its current job; the next job starts a new one.
 */
import type { ApiError, EventName } from '../api/contract.ts';
import type { CancelFiles } from './cancel-files.ts';
import type { WorkerProcess } from './worker-process.ts';
import type { ChatJobSpec, EvaluateJobSpec, FromWorker, JobStatus, TaskJobSpec } from './protocol.ts';

/** A queued job with its way of reporting back. */
export interface UtilityJob {
  jobId: string;
  spec: ChatJobSpec | TaskJobSpec | EvaluateJobSpec;
  /** A piece of generated text. */
  onDelta?: (text: string) => void;
  /** Called exactly once, when the job ends (or is cancelled while queued). */
  settle(status: JobStatus, result: unknown, error: ApiError | undefined): void;
}

/** What the queue needs from the runner. */
export interface UtilityQueueOptions {
  /** Starts the worker (its messages and exit are routed back here). */
  spawn(onMessage: (m: FromWorker) => void, onExit: (p: WorkerProcess, code: number | null, signal: string | null) => void): WorkerProcess;
  dataDir: string;
  cancels: CancelFiles;
  /** Contract events a job emits. */
  onEvent: (event: EventName, payload: unknown) => void;
  /** How long stop() waits for the worker to exit before killing it (ms). */
  stopMs: number;
}

/** One worker, one job at a time. */
export class UtilityQueue {
  private worker: WorkerProcess | null = null;
  private current: UtilityJob | null = null;
  private readonly queue: UtilityJob[] = [];
  private restartPending = false;
  private closed = false;

  constructor(private readonly options: UtilityQueueOptions) {}

  /** Queues a job. @throws Error after close() */
  enqueue(job: UtilityJob): void {
    if (this.closed) throw new Error('the job runner is closed');
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.worker ??= this.options.spawn((m) => this.onMessage(m), (p, code, signal) => this.onExit(p, code, signal));
    this.worker.send({ type: 'start', jobId: next.jobId, dataDir: this.options.dataDir, spec: next.spec, cancelFile: this.options.cancels.path(next.jobId) });
  }

  private onMessage(m: FromWorker): void {
    const job = this.current;
    if (m.type === 'event') this.options.onEvent(m.event, m.payload);
    if (!job || !('jobId' in m) || m.jobId !== job.jobId) return;
    if (m.type === 'delta') job.onDelta?.(m.text);
    else if (m.type === 'finished') {
      this.current = null;
      this.options.cancels.forget(job.jobId);
      job.settle(m.status, m.result, m.error);
      if (this.restartPending) this.retire();
      this.pump();
    }
  }

  private onExit(proc: WorkerProcess, code: number | null, signal: string | null): void {
    if (this.worker === proc) this.worker = null;
    const job = this.current;
    if (job && !this.closed) {
      this.current = null;
      this.options.cancels.forget(job.jobId);
      job.settle('failed', undefined, { name: 'WorkerExitError', message: `the worker process exited (${signal ?? `code ${code}`})` });
    }
    this.pump();
  }

  private retire(): void {
    this.restartPending = false;
    const old = this.worker;
    this.worker = null;
    void old?.stop(this.options.stopMs);
  }

  /** The next job starts a fresh worker (new settings): now when idle, else after the current job. */
  restart(): void {
    if (this.current) this.restartPending = true;
    else this.retire();
  }

  /** Cancels the running job (via its cancel file) or removes a queued one. @returns false when unknown */
  cancel(jobId: string): boolean {
    if (this.current?.jobId === jobId) {
      this.options.cancels.request(jobId);
      this.worker?.send({ type: 'cancel', jobId });
      return true;
    }
    const i = this.queue.findIndex((j) => j.jobId === jobId);
    if (i < 0) return false;
    const [job] = this.queue.splice(i, 1);
    job!.settle('cancelled', undefined, { name: 'JobCancelledError', message: 'cancelled before it started' });
    return true;
  }

  /** Cancels every job (they settle 'cancelled' at once) and stops the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing = { name: 'JobCancelledError', message: 'the server is closing' };
    for (const job of this.queue.splice(0)) job.settle('cancelled', undefined, closing);
    const job = this.current;
    if (job) {
      this.cancel(job.jobId);
      this.current = null;
      job.settle('cancelled', undefined, closing);
    }
    await this.worker?.stop(this.options.stopMs);
  }
}
