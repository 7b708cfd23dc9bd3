/**
 * Entry of a worker process (started by a WorkerHost; see host.ts). It waits for `start` messages, runs each
 * job (trim/resume: worker-trim.ts; chat: worker-generate.ts; short tasks: worker-tasks.ts) and answers with
 * `event`/`delta` messages and one `finished` per job. `cancel` aborts a job's signal: a trim stops at the next
 * training step and keeps its last checkpoint, a generation stops after the current token.
 *
 * Talks to `process.parentPort` under Electron's utilityProcess, else to `process.send` (child_process.fork).
 * If the parent goes away, running jobs are cancelled and the process exits once they have stopped.
 *
 * The engine keeps the event loop busy while it works (protocol.ts), so a job's signal also looks for the job's
 * cancel file, and for a changed parent pid (the parent died), each time the engine reads `signal.aborted`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { closeDatabase, openDatabase, workerKey, type Database } from '../store/index.ts';
import { toApiError, type FromWorker, type JobSpec, type ToWorker } from './protocol.ts';
import type { JobContext, JobOutcome } from './worker-context.ts';

interface Channel {
  send(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
  onClose(listener: () => void): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
}

function channel(): Channel {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (port) {
    return {
      send: (m) => port.postMessage(m),
      onMessage: (l) => port.on('message', (e) => l(e.data as ToWorker)),
      onClose: (l) => port.on('close', l),
    };
  }
  if (!process.send) throw new Error('worker.ts is started by the job runner (it needs an IPC channel)');
  return {
    send: (m) => {
      if (process.connected) process.send!(m);
    },
    onMessage: (l) => process.on('message', (m) => l(m as ToWorker)),
    onClose: (l) => process.on('disconnect', l),
  };
}

const ch = channel();
const running = new Map<string, AbortController>();
const databases = new Map<string, Database>();
let stopping = false;

function databaseFor(dataDir: string): Database {
  let db = databases.get(dataDir);
  if (!db) {
    // openDatabase, not openWorkspace: marking 'running' runs interrupted (and creating or converting the
    // file) is the parent's job at start-up; the parent hands its key down in the environment (workerKeyEnv).
    const key = workerKey(process.env);
    db = openDatabase(join(dataDir, 'trimllm.db'), key !== undefined ? { key } : {});
    databases.set(dataDir, db);
  }
  return db;
}

/** How often (at most) the cancel file is looked for, in milliseconds. */
const CANCEL_CHECK_MS = 50;

/**
 * The job's AbortSignal, seen through a proxy whose `aborted` and `throwIfAborted` also check the cancel file and
 * the parent pid. (The engine and executeRun only use those two; the proxy is not for APIs that brand-check signals.)
 */
function cancellableSignal(controller: AbortController, cancelFile: string): AbortSignal {
  const parentPid = process.ppid;
  let lastCheck = 0;
  const check = () => {
    const now = Date.now();
    if (controller.signal.aborted || now - lastCheck < CANCEL_CHECK_MS) return;
    lastCheck = now;
    if (existsSync(cancelFile) || process.ppid !== parentPid) controller.abort();
  };
  return new Proxy(controller.signal, {
    get(target, prop) {
      if (prop === 'aborted' || prop === 'throwIfAborted') check(); // the evaluators call throwIfAborted() between batches
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function execute(ctx: JobContext, spec: JobSpec): Promise<JobOutcome> {
  switch (spec.kind) {
    case 'trim':
    case 'resume':
      return (await import('./worker-trim.ts')).runTrimJob(ctx, spec);
    case 'chat':
      return (await import('./worker-generate.ts')).runChatJob(ctx, spec);
    case 'task':
      return (await import('./worker-tasks.ts')).runTask(ctx, spec);
    case 'evaluate':
      return (await import('./worker-evaluate.ts')).runEvaluateJob(ctx, spec);
  }
}

async function start(jobId: string, dataDir: string, spec: JobSpec, cancelFile: string): Promise<void> {
  const controller = new AbortController();
  running.set(jobId, controller);
  const ctx: JobContext = {
    jobId,
    db: () => databaseFor(dataDir),
    signal: cancellableSignal(controller, cancelFile),
    emit: (event, payload) => ch.send({ type: 'event', jobId, event, payload }),
    delta: (text) => ch.send({ type: 'delta', jobId, text }),
  };
  try {
    const outcome = await execute(ctx, spec);
    ch.send({ type: 'finished', jobId, status: outcome.status, ...(outcome.result !== undefined ? { result: outcome.result } : {}) });
  } catch (e) {
    const status = ctx.signal.aborted ? 'cancelled' : 'failed';
    ch.send({ type: 'finished', jobId, status, error: toApiError(e) });
  } finally {
    running.delete(jobId);
    if (stopping && running.size === 0) void exit();
  }
}

async function exit(): Promise<never> {
  try {
    (await import('./worker-generate.ts')).releaseCachedModel();
  } finally {
    for (const db of databases.values()) closeDatabase(db);
    databases.clear();
  }
  process.exit(0);
}

function stop(): void {
  stopping = true;
  for (const c of running.values()) c.abort();
  if (running.size === 0) void exit();
}

ch.onMessage((m) => {
  if (m.type === 'start') void start(m.jobId, m.dataDir, m.spec, m.cancelFile);
  else if (m.type === 'cancel') running.get(m.jobId)?.abort();
  else if (m.type === 'shutdown') stop();
});
ch.onClose(stop);
ch.send({ type: 'ready', pid: process.pid });
