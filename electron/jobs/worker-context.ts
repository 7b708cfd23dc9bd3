/** What a job running inside a worker gets from the worker entry (worker.ts), and what it returns. */
import type { Database } from '../store/index.ts';
import type { EmitEvent } from './run-progress.ts';
import type { JobStatus } from './protocol.ts';

/** The environment of one job inside a worker. */
export interface JobContext {
  jobId: string;
  /** The workspace database (opened once per worker, without marking runs interrupted). */
  db(): Database;
  /** Aborted when the runner cancels the job. */
  signal: AbortSignal;
  /** Sends a contract event to the runner. */
  emit: EmitEvent;
  /** Sends a piece of generated text to the runner. */
  delta(text: string): void;
}

/** How a job ended, with its result (any JSON value). */
export interface JobOutcome {
  status: JobStatus;
  result?: unknown;
}
