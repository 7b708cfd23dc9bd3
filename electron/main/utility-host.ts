/**
 * The job runner's WorkerHost for the desktop app: workers run in Electron utility processes
 * (`utilityProcess.fork` of the bundled dist/electron/worker.mjs) instead of `child_process.fork` through tsx.
 * worker.ts talks to `process.parentPort` there. Messages posted before the process has spawned are queued.
 *
 * Imports only types: `utilityProcess.fork` is passed in (tests pass a fake).
 */
import type { ForkOptions, UtilityProcess } from 'electron';
import { createInterface } from 'node:readline';
import type { WorkerHandle, WorkerHost } from '../jobs/host.ts';
import type { FromWorker, ToWorker } from '../jobs/protocol.ts';

/** `utilityProcess.fork`. */
export type UtilityFork = (modulePath: string, args?: string[], options?: ForkOptions) => UtilityProcess;

function pipeLines(stream: NodeJS.ReadableStream | null, emit: (line: string) => void): void {
  if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', emit);
}

/**
 * A WorkerHost over utility processes.
 * @param fork `utilityProcess.fork` (only usable once the app is ready)
 * @param entry absolute path of the bundled worker entry (dist/electron/worker.mjs)
 * @param log receives each stdout/stderr line of a worker, with its name
 */
export function utilityWorkerHost(
  fork: UtilityFork,
  entry: string,
  log: (name: string, line: string) => void = (name, line) => process.stderr.write(`[${name}] ${line}\n`),
): WorkerHost {
  return {
    start(name, env): WorkerHandle {
      const child = fork(entry, [], {
        serviceName: `TrimLLM ${name}`,
        env: { ...process.env, ...env } as ForkOptions['env'],
        stdio: 'pipe',
      });
      pipeLines(child.stdout, (line) => log(name, line));
      pipeLines(child.stderr, (line) => log(name, line));
      let spawned = false;
      let exited = false;
      const pending: ToWorker[] = [];
      const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
      child.once('spawn', () => {
        spawned = true;
        for (const m of pending.splice(0)) child.postMessage(m);
      });
      child.on('error', (type, location) => log(name, `worker process ${type} at ${location}`));
      child.once('exit', (code) => {
        exited = true;
        for (const l of exitListeners) l(code, null);
      });
      return {
        get pid() {
          return child.pid;
        },
        send(message) {
          if (exited) return;
          if (spawned) child.postMessage(message);
          else pending.push(message);
        },
        onMessage(listener) {
          child.on('message', (m: unknown) => listener(m as FromWorker));
        },
        onExit(listener) {
          exitListeners.push(listener);
        },
        kill() {
          if (!exited) child.kill();
        },
      };
    },
  };
}
