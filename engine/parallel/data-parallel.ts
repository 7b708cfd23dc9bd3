/**
 * One data-parallel optimizer step (engine/train/trainer.ts with a WorkerPool): the step's micro-batches, or their
 * rows, are shared between the main thread (part 0) and the workers (parts 1…N−1) (threadShares); every thread
 * accumulates the gradients of its share in its shared buffers, then all threads reduce, clip and update their
 * shard of every parameter, and every copy of the model loads the new weights (shared-update.ts, the four
 * phases). The result equals the single-thread step up to float summation order (test/unit/parallel-workers.test.ts:
 * within 1e-5 relative). Measured: engine/bench/README.md log 12.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import { namedWeights } from '../model/weights.ts';
import { splitBatch, type HostBatch } from '../train/batch.ts';
import { microBatchGradients } from '../train/gradients.ts';
import type { TrainableParam } from '../train/params.ts';
import type { HostAdamW } from './host-adamw.ts';
import type { WorkerPool } from './pool.ts';
import { adamwShard, loadShared, reduceShard, writeGradients } from './shared-update.ts';

/**
 * The micro-batches each thread computes: whole micro-batches, dealt round-robin, when their count is a multiple of
 * the threads (each product keeps the rows of a micro-batch, as on one thread), else each micro-batch's rows split
 * across the threads (batch.ts splitBatch). Thread j's share may be empty.
 */
export function threadShares(microBatches: readonly HostBatch[], threads: number): HostBatch[][] {
  const shares: HostBatch[][] = Array.from({ length: threads }, () => []);
  if (microBatches.length % threads === 0) microBatches.forEach((mb, k) => shares[k % threads]!.push(mb));
  else for (const mb of microBatches) splitBatch(mb, threads).forEach((part, j) => shares[j]!.push(part));
  return shares;
}

/** Loss and gradient norm of a step (host numbers). */
export interface DataParallelStep {
  /** Mean NLL per target token before the update. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * Runs one step on every thread of `pool` (its workers hold copies of `model` equal to it).
 * @param optimizer holds state for every name of `params`, for pool.size + 1 threads
 * @param stepTargetTokens N, the target tokens of the whole step (> 0)
 * @param maxGradNorm clip to this global norm (Infinity: no clipping)
 * @throws Error from a worker or the model (nothing is updated when it happens before the update phase)
 */
export async function dataParallelStep(
  pool: WorkerPool, model: LlamaModel, optimizer: HostAdamW, params: readonly TrainableParam[],
  microBatches: readonly HostBatch[], lr: number, maxGradNorm: number, stepTargetTokens: number,
): Promise<DataParallelStep> {
  const threads = pool.size + 1;
  if (optimizer.threads !== threads) throw new Error(`optimizer made for ${optimizer.threads} threads, the pool has ${threads}`);
  const shared = optimizer.shared(params.map((p) => p.name));
  const keep = [...model.keepMask];
  // Every thread's share of the step, sent at once (each worker accumulates its share in its own buffers).
  const shares = threadShares(microBatches, threads);
  const remote = Promise.all(shares.slice(1).map((share, i) =>
    Promise.all(share.map((batch, k) =>
      pool.request<number>(i, { type: 'grads', keep, params: shared, part: i + 1, batch, stepTargetTokens, accumulate: k > 0 }),
    )),
  ));
  remote.catch(() => {}); // awaited below; a local error must not leave it unhandled
  // threads without rows (fewer rows with targets than threads) contribute zeros
  for (const [j, share] of shares.entries()) if (share.length === 0) await writeGradients(shared, j, new Map(), false);
  let loss = 0;
  for (const [k, batch] of shares[0]!.entries()) {
    const local = microBatchGradients(model, params, batch, stepTargetTokens);
    try {
      await writeGradients(shared, 0, local.grads, k > 0);
      loss += (await local.loss.data())[0]!;
    } finally {
      tf.dispose([local.loss, ...local.grads.values()]);
    }
  }
  for (const share of await remote) for (const l of share) loss += l;
  const everyThread = <T>(local: () => T, remote: (part: number) => Promise<T>): Promise<T[]> =>
    Promise.all([Promise.resolve().then(local), ...Array.from({ length: pool.size }, (_, i) => remote(i + 1))]);
  const squares = await everyThread(
    () => reduceShard(shared, 0, threads),
    (part) => pool.request<number>(part - 1, { type: 'reduce', params: shared, part, parts: threads }),
  );
  const gradNorm = Math.sqrt(squares.reduce((a, b) => a + b, 0));
  const gradScale = maxGradNorm === Infinity ? 1 : maxGradNorm / Math.max(gradNorm, maxGradNorm);
  const step = optimizer.nextUpdate(shared.map((p) => p.name), lr, gradScale);
  await everyThread(
    () => adamwShard(shared, 0, threads, step),
    (part) => pool.request<null>(part - 1, { type: 'update', params: shared, part, parts: threads, step }),
  );
  await everyThread(
    () => loadShared(shared, new Map(namedWeights(model.weights).map((n) => [n.hfName, n.variable]))),
    (part) => pool.request<null>(part - 1, { type: 'load', params: shared }),
  );
  return { loss, gradNorm };
}
