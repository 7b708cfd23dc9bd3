/**
 * Starting worker processes. The runner only sees WorkerHost/WorkerHandle, so the process API is swappable:
 *
 * - Node (the CLI's `serve`, tests): `child_process.fork` of worker.ts through tsx (`--import tsx`), with an IPC
 *   channel; stdout/stderr are piped and handed to `log` line by line (the engine's progress lines, warnings).
 * - Electron (the desktop app's main process): electron/main/utility-host.ts implements the same interface with
 *   `utilityProcess.fork(entry, [], { serviceName, env, stdio: 'pipe' })` (`postMessage` to send, the 'message'
 *   and 'exit' events, `kill()`) on the bundled worker entry instead of the .ts file; worker.ts talks to
 *   `process.parentPort` when it exists.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { FromWorker, ToWorker } from './protocol.ts';

/** One running worker process. */
export interface WorkerHandle {
  /** OS process id (undefined when it failed to start). */
  readonly pid: number | undefined;
  /** Sends a message; ignored once the process has exited. */
  send(message: ToWorker): void;
  /** Called for every message the worker sends. */
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the process has exited (code, or the signal that ended it). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Ends the process at once (SIGKILL): for a worker that does not stop when asked. */
  kill(): void;
}

/** Starts worker processes. */
export interface WorkerHost {
  /**
   * Starts a worker.
   * @param name a label for its log lines, e.g. `trim run 3` or `utility`
   * @param env extra environment variables (e.g. TRIMLLM_BACKEND)
   */
  start(name: string, env: Record<string, string>): WorkerHandle;
}

/** Options of nodeWorkerHost. */
export interface NodeWorkerHostOptions {
  /** Receives each line a worker writes to stdout/stderr, with its name; default: written to stderr. */
  log?: (name: string, line: string) => void;
  /** The worker entry; default worker.ts beside this file. */
  entry?: string;
}

/** Path of the worker entry (run through tsx). */
export const WORKER_ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));

function pipeLines(stream: Readable | null, emit: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', emit);
}

/** The Node implementation: `child_process.fork` of the worker entry through tsx. */
export function nodeWorkerHost(options: NodeWorkerHostOptions = {}): WorkerHost {
  const log = options.log ?? ((name: string, line: string) => process.stderr.write(`[${name}] ${line}\n`));
  return {
    start(name, env) {
      const child = fork(options.entry ?? WORKER_ENTRY, [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
      });
      pipeLines(child.stdout, (line) => log(name, line));
      pipeLines(child.stderr, (line) => log(name, line));
      let exited = false;
      const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
      const onExit = (code: number | null, signal: string | null) => {
        if (exited) return;
        exited = true;
        for (const l of exitListeners) l(code, signal);
      };
      child.on('exit', onExit);
      child.on('error', (e) => {
        log(name, `worker process error: ${e.message}`);
        if (child.exitCode === null && child.pid === undefined) onExit(null, null);
      });
      return {
        pid: child.pid,
        send(message) {
          if (!exited && child.connected) child.send(message);
        },
        onMessage(listener) {
          child.on('message', (m) => listener(m as FromWorker));
        },
        onExit(listener) {
          exitListeners.push(listener);
        },
        kill() {
          if (!exited) child.kill('SIGKILL');
        },
      };
    },
  };
}
