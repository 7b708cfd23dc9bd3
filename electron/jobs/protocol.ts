/**
 * The messages between the job runner (the main process or the server) and a worker process (DESIGN.md §3: the
 * engine runs in a child/utility process so the UI never blocks). Plain JSON values only, so the same protocol
 * travels over Node's `child_process` IPC and over Electron's `utilityProcess` MessagePort.
 *
 *   runner → worker: start {jobId, spec, cancelFile} · cancel {jobId} · shutdown
 *   worker → runner: ready · event {contract event of a trim run} · delta {chat text} · finished {status, result}
 *
 * A trim worker runs one trim/resume job and is shut down after it; the utility worker is long-lived and runs
 * chat generations and short tasks (imports, doctor) one at a time.
 *
 * Cancelling also creates the job's `cancelFile`. While the engine scans, evaluates or generates, a worker's
 * event loop does not turn (tfjs's awaits resolve as microtasks; training yields once per optimizer step), so a
 * `cancel` message may only be read late; the engine does read its AbortSignal's `aborted` between steps and
 * tokens, and the worker's signal checks for the file there (worker.ts).
 */
import type { ApiError, EventName } from '../api/contract.ts';
import type { ModelSource, ReplySampling as JobSampling } from '../app/chat-turns.ts';

/** Where a chat generation's weights come from, its sampling, and its result: the chat use case's types. */
export type { ModelSource, ReplySampling as JobSampling, ReplyResult as GenerationResult } from '../app/chat-turns.ts';

/** A trim run to execute (a stored run, created 'queued') or to resume (an 'interrupted' run). */
export interface TrimJobSpec {
  kind: 'trim' | 'resume';
  runId: number;
}

/** A chat generation: the next assistant message of `messages`. */
export interface ChatJobSpec {
  kind: 'chat';
  source: ModelSource;
  /** The conversation so far, oldest first (system/user/assistant). */
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  sampling: JobSampling;
  /** Seed of the sampler. */
  seed: number;
  /** Extra strings that end the reply (besides the chat template's own). */
  stop?: string[];
}

/** Short tasks the utility worker runs so tfjs and large parses stay out of the server process. */
export type TaskName = 'doctor' | 'import-model' | 'import-data' | 'preview-data' | 'estimate-run';

/** A short task with its arguments (see worker-tasks.ts for each one's arguments and result). */
export interface TaskJobSpec {
  kind: 'task';
  task: TaskName;
  args: Record<string, unknown>;
}

/** An evaluation job (electron/app/evaluation-job.ts): models × datasets × split, run on the utility worker. */
export interface EvaluateJobSpec {
  kind: 'evaluate';
  models: ({ modelId: number } | { checkpointId: number })[];
  datasetIds: number[];
  split: 'train' | 'validation' | 'test';
  maxRecords?: number;
}

/** What a job does. */
export type JobSpec = TrimJobSpec | ChatJobSpec | TaskJobSpec | EvaluateJobSpec;

/** How a job ended (the contract's job.finished statuses). */
export type JobStatus = 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** A message from the runner to a worker. */
export type ToWorker =
  | { type: 'start'; jobId: string; dataDir: string; spec: JobSpec; cancelFile: string }
  | { type: 'cancel'; jobId: string }
  | { type: 'shutdown' };

/** A message from a worker to the runner. */
export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'event'; jobId: string; event: EventName; payload: unknown }
  | { type: 'delta'; jobId: string; text: string }
  | { type: 'finished'; jobId: string; status: JobStatus; error?: ApiError; result?: unknown };

/** An error as it crosses a process boundary: name and message (STYLE.md "Electron"). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}
