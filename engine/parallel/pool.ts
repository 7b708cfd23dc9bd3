/**
 * A pool of engine worker threads (worker.ts), each with its own copy of the model on its own single-threaded
 * backend, built from the main thread's weights shared through SharedArrayBuffers (shared-weights.ts). With
 * `threads` = N the pool has N − 1 workers: the main thread does one share of every parallel task itself.
 *
 * Why workers and not the threaded wasm build: measured (engine/bench/README.md, log 7), tfjs's threaded SIMD
 * wasm runs under worker_threads but every small kernel synchronises its threads, so a training step gained
 * 1.02–1.18× on 2 threads where one large product gained 2.04×. Independent work per thread (scan candidates,
 * rows of a batch) has no such barrier.
 *
 * Workers run TypeScript through tsx's loader API, registered inside the worker before its entry is imported
 * (Node 20 does not apply the parent's `--import tsx` hooks to a worker's entry module).
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { WorkerMessage, WorkerReply, WorkerRequest } from './protocol.ts';
import { shareWeights } from './shared-weights.ts';

/**
 * The worker's code: run from source (tsx), worker.ts beside this file, started through tsx's loader API; in the
 * bundled app (scripts/build-electron.mjs), engine-worker.mjs beside the bundle this module was bundled into.
 */
function workerSource(): { code: string; eval: true } | { url: URL } {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./engine-worker.mjs', import.meta.url) };
  const entry = new URL('./worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return { code: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, eval: true };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** A started engine worker. */
class EngineWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  constructor(readonly thread: Worker) {
    thread.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new Error(`engine worker: ${reply.error}`));
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`engine worker exited (code ${code})`)));
  }

  request<T>(req: WorkerRequest): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.thread.postMessage({ ...req, id } satisfies WorkerMessage);
    });
  }
}

/** Worker threads holding copies of one model. Create with WorkerPool.start; free with dispose(). */
export class WorkerPool {
  private constructor(private readonly workers: EngineWorker[]) {}

  /**
   * Starts `threads − 1` workers with copies of `model` on the active backend.
   * @param threads total threads (main included), ≥ 1; 1 starts none
   * @throws Error when a worker fails to start (the others are stopped)
   */
  static async start(model: LlamaModel, threads: number): Promise<WorkerPool> {
    const shared = await shareWeights(model);
    const source = workerSource();
    const spawn = () => ('url' in source ? new Worker(source.url) : new Worker(source.code, { eval: true }));
    const workers = Array.from({ length: Math.max(0, threads - 1) }, () => new EngineWorker(spawn()));
    const pool = new WorkerPool(workers);
    try {
      await Promise.all(workers.map((w) => w.request({ type: 'init', backend: tf.getBackend(), shared })));
    } catch (e) {
      await pool.dispose();
      throw e;
    }
    return pool;
  }

  /**
   * A pool for `model` when `threads` > 1, else null; when the workers cannot start (e.g. too little memory for
   * another copy of the model), null and `onMessage` says why (the caller goes on on one thread).
   */
  static async startOrNull(model: LlamaModel, threads: number, onMessage: (text: string) => void): Promise<WorkerPool | null> {
    if (threads <= 1) return null;
    try {
      return await WorkerPool.start(model, threads);
    } catch (e) {
      onMessage(`running on one thread: the ${threads - 1} worker thread(s) did not start (${(e as Error).message})`);
      return null;
    }
  }

  /** Worker threads (threads − 1). */
  get size(): number {
    return this.workers.length;
  }

  /** Sends a request to worker `i` and resolves with its reply. */
  request<T>(i: number, req: WorkerRequest): Promise<T> {
    return this.workers[i]!.request<T>(req);
  }

  /** Stops every worker. */
  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.thread.terminate()));
  }
}
