/**
 * A started worker as the runner uses it: messages sent before the worker has said `ready` wait in a queue
 * (a worker needs a moment to load tsx and its modules), and `exited` settles once the process is gone.
 */
import type { FromWorker, ToWorker } from './protocol.ts';
import type { WorkerHandle, WorkerHost } from './host.ts';

/** A worker process with a send queue and an exit promise. */
export class WorkerProcess {
  private readonly handle: WorkerHandle;
  private readonly pending: ToWorker[] = [];
  private isReady = false;
  private hasExited = false;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<void>;

  /**
   * Starts a worker.
   * @param onMessage every message but `ready`
   * @param onExit once, when the process has exited
   */
  constructor(
    host: WorkerHost,
    readonly name: string,
    env: Record<string, string>,
    onMessage: (message: FromWorker) => void,
    onExit: (code: number | null, signal: string | null) => void,
  ) {
    this.handle = host.start(name, env);
    let resolveExit!: () => void;
    this.exited = new Promise<void>((r) => (resolveExit = r));
    this.handle.onMessage((m) => {
      if (m.type === 'ready') {
        this.isReady = true;
        for (const p of this.pending.splice(0)) this.handle.send(p);
        return;
      }
      onMessage(m);
    });
    this.handle.onExit((code, signal) => {
      this.hasExited = true;
      try {
        onExit(code, signal);
      } finally {
        resolveExit();
      }
    });
  }

  /** True once the process has exited. */
  get gone(): boolean {
    return this.hasExited;
  }

  /** Sends now, or once the worker is ready. */
  send(message: ToWorker): void {
    if (this.hasExited) return;
    if (this.isReady) this.handle.send(message);
    else this.pending.push(message);
  }

  /**
   * Asks the worker to shut down and waits up to `graceMs` for it to exit; kills it after that.
   * @returns true when it exited by itself
   */
  async stop(graceMs: number): Promise<boolean> {
    if (this.hasExited) return true;
    if (this.isReady) this.handle.send({ type: 'shutdown' });
    else this.handle.kill(); // still starting: nothing to save
    return this.waitOrKill(graceMs);
  }

  /** Waits up to `graceMs` for the process to exit, then kills it. @returns true when it exited in time */
  async waitOrKill(graceMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)));
    const inTime = await Promise.race([this.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    if (!inTime) {
      this.handle.kill();
      await this.exited;
    }
    return inTime;
  }
}
