/**
 * The job runner: long work runs in worker processes so the server (or Electron's main process) never blocks.
 *
 * - Trim and resume jobs: one at a time (a second start is refused with JobBusyError), in the trim worker. The
 *   worker stays for `trimIdleMs` after a job (a resume right after a cancel starts at once), then exits and
 *   gives its memory back. Live events (job.progress, run.scan, run.checkpoint) come from polling the run's
 *   rows in SQLite (run-progress.ts); job.finished follows a last poll. A worker that dies leaves its run
 *   'interrupted' (resumable), as `markInterruptedRuns` does at start-up after a crash of the whole app.
 * - Chat generations and short tasks (imports, doctor): the utility worker, one job at a time in order of
 *   arrival, beside a running trim (utility-queue.ts).
 *
 * cancel() stops a job at its next safe point; close() cancels everything and waits for the workers to exit.
 */
import { randomUUID } from 'node:crypto';
import type { ApiError, EventName } from '../api/contract.ts';
import { getRun, setRunStatus, type Database } from '../store/index.ts';
import { nodeWorkerHost, type WorkerHost } from './host.ts';
import { WorkerProcess } from './worker-process.ts';
import { CancelFiles } from './cancel-files.ts';
import { UtilityQueue } from './utility-queue.ts';
import { estimateForRun, RunProgressPoller } from './run-progress.ts';
import type { ChatJobSpec, EvaluateJobSpec, FromWorker, GenerationResult, JobStatus, TaskName } from './protocol.ts';

/** Thrown when a trim job is asked for while another one runs. */
export class JobBusyError extends Error {
  override readonly name = 'JobBusyError';
}

/** Thrown by a task whose worker reported an error (keeps the worker's error name). */
export class JobError extends Error {
  constructor(error: ApiError) {
    super(error.message);
    this.name = error.name;
  }
}

/** Options of the runner. */
export interface JobRunnerOptions {
  /** The workspace folder (holds trimllm.db); workers open the database themselves. */
  dataDir: string;
  /** The parent's connection: progress polling, and marking a run interrupted when its worker dies. */
  db: Database;
  /** Receives every contract event (payloads are validated by the receiver). */
  onEvent: (event: EventName, payload: unknown) => void;
  /** Starts worker processes; default nodeWorkerHost(). */
  host?: WorkerHost;
  /** Extra environment of new workers (e.g. TRIMLLM_BACKEND from the settings). */
  workerEnv?: () => Record<string, string>;
  /** How long close() waits for a cancelled trim to reach its checkpoint before killing it (ms, default 60 s). */
  stopGraceMs?: number;
  /** How often a trim's new rows are read (ms, default 250). */
  pollMs?: number;
  /** How long an idle trim worker is kept for the next trim (ms, default 30 s). */
  trimIdleMs?: number;
}

/** Callbacks of a generation. */
export interface GenerationHandlers {
  /** A new piece of text. */
  onDelta(text: string): void;
  /** Called once, before job.finished is emitted; `result` is set unless it failed. */
  onFinished(status: JobStatus, result: GenerationResult | undefined, error: ApiError | undefined): void;
}

interface TrimJob {
  jobId: string;
  runId: number;
  proc: WorkerProcess;
  finished: boolean;
  poller: RunProgressPoller;
  timer: NodeJS.Timeout;
}

const STOP_MS = 5000;

/** Runs trim, chat and task jobs in worker processes. */
export class JobRunner {
  private readonly host: WorkerHost;
  private readonly cancels = new CancelFiles();
  private trim: TrimJob | null = null;
  private trimWorker: WorkerProcess | null = null;
  private trimIdle: NodeJS.Timeout | null = null;
  private readonly utility: UtilityQueue;
  private restartTrimPending = false;
  private closed = false;

  constructor(private readonly options: JobRunnerOptions) {
    this.host = options.host ?? nodeWorkerHost();
    this.utility = new UtilityQueue({
      spawn: (onMessage, onExit) => this.spawn('utility', onMessage, onExit),
      dataDir: options.dataDir, cancels: this.cancels, onEvent: options.onEvent, stopMs: STOP_MS,
    });
  }

  private spawn(name: string, onMessage: (m: FromWorker) => void, onExit: (p: WorkerProcess, code: number | null, signal: string | null) => void): WorkerProcess {
    const proc: WorkerProcess = new WorkerProcess(this.host, name, this.options.workerEnv?.() ?? {}, onMessage, (c, s) => onExit(proc, c, s));
    return proc;
  }

  /** The running trim job, or null. */
  activeTrim(): { jobId: string; runId: number } | null {
    return this.trim && { jobId: this.trim.jobId, runId: this.trim.runId };
  }

  /**
   * Starts (kind 'trim', a queued run) or resumes (kind 'resume', an interrupted run) a stored run.
   * @returns the job id
   * @throws JobBusyError when a trim job is running; Error after close()
   */
  startTrim(runId: number, kind: 'trim' | 'resume'): string {
    if (this.closed) throw new Error('the job runner is closed');
    if (this.trim) {
      throw new JobBusyError(`run ${this.trim.runId} is already being trimmed (job ${this.trim.jobId}); one trim runs at a time: cancel it or wait until it finishes`);
    }
    if (this.trimIdle) clearTimeout(this.trimIdle);
    this.trimIdle = null;
    if (!this.trimWorker || this.trimWorker.gone) {
      this.trimWorker = this.spawn('trim', (m) => this.onTrimMessage(m), (p, code, signal) => this.onTrimExit(p, code, signal));
    }
    const jobId = randomUUID();
    const { db, onEvent } = this.options;
    const poller = new RunProgressPoller(db, runId, jobId, (e, p) => onEvent(e, p), estimateForRun(db, runId));
    const timer = setInterval(() => poller.poll(), this.options.pollMs ?? 250);
    this.trim = { jobId, runId, proc: this.trimWorker, finished: false, poller, timer };
    onEvent('job.progress', { jobId, runId, phase: kind === 'resume' ? 'resuming' : 'starting', epoch: 0, done: 0, total: poller.totalSteps, etaSeconds: null });
    this.trimWorker.send({ type: 'start', jobId, dataDir: this.options.dataDir, spec: { kind, runId }, cancelFile: this.cancels.path(jobId) });
    return jobId;
  }

  private onTrimMessage(m: FromWorker): void {
    const job = this.trim;
    if (m.type === 'event') this.options.onEvent(m.event, m.payload);
    if (!job || m.type !== 'finished' || m.jobId !== job.jobId) return;
    if (m.status === 'failed') this.repairRun(job.runId, 'queued', 'failed', m.error?.message ?? 'failed');
    this.finishTrim(job, m.status, m.error?.message);
    if (this.closed || this.restartTrimPending) {
      this.restartTrimPending = false;
      void this.retireTrimWorker();
    } else {
      this.trimIdle = setTimeout(() => void this.retireTrimWorker(), this.options.trimIdleMs ?? 30_000);
      this.trimIdle.unref();
    }
  }

  private onTrimExit(proc: WorkerProcess, code: number | null, signal: string | null): void {
    if (this.trimWorker === proc) this.trimWorker = null;
    const job = this.trim;
    if (!job || job.proc !== proc || job.finished) return;
    const why = `the trim worker exited (${signal ?? `code ${code}`}) before the run ended`;
    this.repairRun(job.runId, 'running', 'interrupted', why);
    this.repairRun(job.runId, 'queued', 'failed', why);
    this.finishTrim(job, 'interrupted', why);
  }

  /** Moves a run from `from` to `to` when it is still in `from` (its worker could not do it itself). */
  private repairRun(runId: number, from: string, to: 'interrupted' | 'failed', error: string): void {
    try {
      if (getRun(this.options.db, runId)?.status === from) setRunStatus(this.options.db, runId, to, { error });
    } catch {
      // The run was deleted, or moved on meanwhile: nothing to repair.
    }
  }

  private finishTrim(job: TrimJob, status: JobStatus, error: string | undefined): void {
    job.finished = true;
    clearInterval(job.timer);
    job.poller.poll();
    this.cancels.forget(job.jobId);
    if (this.trim === job) this.trim = null;
    this.options.onEvent('job.finished', { jobId: job.jobId, runId: job.runId, status, ...(error ? { error } : {}) });
  }

  private async retireTrimWorker(): Promise<void> {
    if (this.trimIdle) clearTimeout(this.trimIdle);
    this.trimIdle = null;
    const proc = this.trimWorker;
    this.trimWorker = null;
    if (proc) await proc.stop(STOP_MS);
  }

  /**
   * Queues a chat generation on the utility worker.
   * @returns the job id (its events: handlers, then job.finished)
   * @throws Error after close()
   */
  generate(spec: ChatJobSpec, handlers: GenerationHandlers): string {
    const jobId = randomUUID();
    this.utility.enqueue({
      jobId, spec, onDelta: handlers.onDelta,
      settle: (status, result, error) => {
        try {
          handlers.onFinished(status, result as GenerationResult | undefined, error);
        } finally {
          this.options.onEvent('job.finished', { jobId, status, ...(error ? { error: error.message } : {}) });
        }
      },
    });
    return jobId;
  }

  /**
   * Queues an evaluation job on the utility worker (its cells arrive as evaluation.cell events).
   * @returns the job id (its events: evaluation.cell, job.progress, then job.finished)
   * @throws Error after close()
   */
  startEvaluation(spec: EvaluateJobSpec): string {
    const jobId = randomUUID();
    this.utility.enqueue({
      jobId, spec,
      settle: (status, _result, error) => this.options.onEvent('job.finished', { jobId, status, ...(error ? { error: error.message } : {}) }),
    });
    return jobId;
  }

  /**
   * Runs a short task on the utility worker (see worker-tasks.ts).
   * @throws JobError with the worker's error name and message when the task fails or is cancelled
   */
  runTask<T>(task: TaskName, args: Record<string, unknown>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.utility.enqueue({
        jobId: randomUUID(), spec: { kind: 'task', task, args },
        settle: (status, result, error) => {
          if (status === 'completed') resolve(result as T);
          else reject(new JobError(error ?? { name: 'JobCancelledError', message: `task ${task} was ${status}` }));
        },
      });
    });
  }

  /** New workers pick up changed settings (backend, threads): idle workers exit now, busy ones after their job. */
  restartWorkers(): void {
    this.utility.restart();
    if (this.trim) this.restartTrimPending = true;
    else void this.retireTrimWorker();
  }

  /**
   * Cancels a job: a trim stops at the next step with its last checkpoint (the run becomes 'interrupted'), a
   * generation after the current token, a queued job at once.
   * @returns false when no such job is running or queued
   */
  cancel(jobId: string): boolean {
    if (this.trim?.jobId !== jobId) return this.utility.cancel(jobId);
    this.cancels.request(jobId);
    this.trim.proc.send({ type: 'cancel', jobId });
    return true;
  }

  /** Cancels the trim job of run `runId`. @returns false when that run is not being trimmed */
  cancelRun(runId: number): boolean {
    return this.trim?.runId === runId ? this.cancel(this.trim.jobId) : false;
  }

  /** Cancels every job and waits for the workers to exit (a trim up to stopGraceMs, then it is killed). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const waits: Promise<unknown>[] = [this.utility.close()];
    if (this.trim) {
      const proc = this.trim.proc;
      this.cancel(this.trim.jobId);
      waits.push(proc.waitOrKill(this.options.stopGraceMs ?? 60_000)); // it shuts down once the job has stopped
    } else waits.push(this.retireTrimWorker());
    await Promise.all(waits);
    this.cancels.dispose();
  }
}
