/**
 * One optimizer step of fine-tuning, with gradient accumulation, global-norm clipping and a trainable mask.
 *
 *   for each micro-batch k:   g += ∇ Σ_k w·NLL / N        (N = target tokens of the whole step)
 *   g ← clip(g, maxGradNorm)                              (clip.ts; Pascanu et al. 2013)
 *   θ ← AdamW(θ, g, lr)                                   (adamw.ts; Loshchilov & Hutter 2019, Algorithm 2)
 *
 * so the step's loss is the mean NLL over every target token of the step, however the tokens fall into
 * micro-batches. Only the trainable weights (params.ts) are in the varList of tf.variableGrads: frozen weights
 * get no gradient and keep their exact bits; dropped sub-layers are neither run (the model's keep mask) nor
 * trained. Loss and gradient norm are read once per step with `await data()` (STYLE.md: variableGrads → apply →
 * dispose). Create with `new Trainer`, free the optimizer state with dispose() (the model stays the caller's).
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import { AdamW, type AdamWOptions } from './adamw.ts';
import { splitBatch, type HostBatch } from './batch.ts';
import { clipInPlace, globalNorm } from './clip.ts';
import { microBatchGradients } from './gradients.ts';
import type { WorkerPool } from '../parallel/pool.ts';
import type { GradsReply } from '../parallel/protocol.ts';
import { selectTrainable, type TrainableParam, type TrainableSpec } from './params.ts';

/** Options of a Trainer. */
export interface TrainerOptions {
  /** What to train (default: every kept sub-layer; embedding, final norm and head frozen). */
  trainable?: TrainableSpec;
  /** AdamW hyper-parameters. */
  optimizer?: AdamWOptions;
  /** Clip the global gradient norm to this (default 1.0; Infinity disables clipping). */
  maxGradNorm?: number;
  /**
   * Worker threads holding copies of this model (engine/parallel/pool.ts): each micro-batch's rows are split
   * between the main thread and the workers (data-parallel), the gradients summed, one update applied here and
   * the updated weights copied to the workers. Absent: one thread.
   */
  pool?: WorkerPool;
}

/** What one step did (host numbers). */
export interface StepResult {
  /** Mean NLL per target token before the update, nats. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Target tokens of the step (the loss denominator). */
  targetTokens: number;
  /** Real (non-pad) input tokens processed. */
  realTokens: number;
  /** Wall time of the step (forward, backward, update, read-back), seconds. */
  seconds: number;
}

/** Fine-tunes a model in place, one optimizer step at a time. */
export class Trainer {
  /** The optimizer; its state is created once here and reused across steps and epochs. */
  readonly optimizer: AdamW;
  private readonly spec: TrainableSpec;
  private readonly maxGradNorm: number;
  private readonly pool: WorkerPool | undefined;

  /**
   * Creates optimizer state for the weights trainable now (kept ∩ trainable).
   * @throws Error on a bad sub-layer name, RangeError on bad optimizer or clipping settings
   */
  constructor(
    readonly model: LlamaModel,
    options: TrainerOptions = {},
  ) {
    this.spec = options.trainable ?? {};
    this.maxGradNorm = options.maxGradNorm ?? 1.0;
    this.pool = options.pool;
    if (!(this.maxGradNorm > 0)) throw new RangeError(`maxGradNorm must be positive, got ${this.maxGradNorm}`);
    this.optimizer = new AdamW(selectTrainable(model, this.spec), options.optimizer);
  }

  /** Optimizer updates applied so far (the schedule's step index for the next update). */
  get step(): number {
    return this.optimizer.step;
  }

  /**
   * The weights the next step trains: trainable weights of sub-layers still kept by the model's keep mask.
   * Optimizer state of weights whose sub-layer has been dropped since is freed here (dropping is final: a
   * weight without state, e.g. of a sub-layer kept again later, stays frozen).
   */
  activeParams(): TrainableParam[] {
    const active = selectTrainable(this.model, this.spec);
    const names = new Set(active.map((p) => p.name));
    this.optimizer.release(this.optimizer.paramNames.filter((n) => !names.has(n)));
    return active.filter((p) => this.optimizer.weightDecayOf(p.name) !== undefined);
  }

  /**
   * Runs one optimizer step over the micro-batches (gradient accumulation) at learning rate `lr`.
   * @param microBatches ≥ 1 host batches (batch.ts), with ≥ 1 target token in total
   * @throws Error when no trainable weight remains (every trainable sub-layer was dropped) or there is no
   *   target token; errors of the model (sequence too long) pass through. Nothing is updated then.
   */
  async trainStep(microBatches: readonly HostBatch[], lr: number): Promise<StepResult> {
    const start = performance.now();
    const params = this.activeParams();
    if (params.length === 0) {
      throw new Error('no trainable weights remain: every trainable sub-layer was dropped; mark more as trainable');
    }
    const targetTokens = microBatches.reduce((a, b) => a + b.targetTokens, 0);
    const realTokens = microBatches.reduce((a, b) => a + b.realTokens, 0);
    if (targetTokens === 0) throw new Error('training step has no target token (every lossMask entry is 0)');
    const grads = new Map<string, tf.Tensor>();
    let lossSum: tf.Scalar | null = null;
    let norm: tf.Scalar | null = null;
    const add = (name: string, grad: tf.Tensor) => grads.set(name, accumulate(grads.get(name) ?? null, grad));
    try {
      for (const mb of microBatches) {
        // Data-parallel: rows split between the main thread (part 0) and the workers; the parts' gradients
        // are summed in part order (train/gradients.ts: each part's loss is already divided by the step's N).
        const parts = this.pool && this.pool.size > 0 ? splitBatch(mb, this.pool.size + 1) : [mb];
        const names = params.map((p) => p.name);
        const remote = parts.slice(1).map((batch, i) =>
          this.pool!.request<GradsReply>(i, { type: 'grads', keep: [...this.model.keepMask], names, batch, stepTargetTokens: targetTokens }),
        );
        const remoteAll = Promise.all(remote);
        remoteAll.catch(() => {}); // awaited below; a local error must not leave it unhandled
        const local = microBatchGradients(this.model, params, parts[0]!, targetTokens);
        lossSum = accumulate(lossSum, local.loss) as tf.Scalar;
        for (const [name, grad] of local.grads) add(name, grad);
        for (const reply of await remoteAll) {
          lossSum = accumulate(lossSum, tf.scalar(reply.loss)) as tf.Scalar;
          for (const g of reply.grads) add(g.name, tf.tensor(g.data, g.shape, 'float32'));
        }
      }
      // in place: each clipped gradient replaces its input at once (one gradient's bytes of headroom, not all)
      norm = this.maxGradNorm === Infinity ? globalNorm(grads.values()) : clipInPlace(grads, this.maxGradNorm);
      this.optimizer.apply(grads, lr);
      if (this.pool) await this.pool.syncWeights(this.model, [...grads.keys()]);
      const read = tf.stack([lossSum!, norm]);
      const [loss, gradNorm] = await read.data();
      read.dispose();
      return { loss: loss!, gradNorm: gradNorm!, targetTokens, realTokens, seconds: (performance.now() - start) / 1000 };
    } finally {
      tf.dispose([...grads.values()]);
      if (lossSum) lossSum.dispose();
      if (norm) norm.dispose();
    }
  }

  /** Frees the optimizer state (the model is not touched). */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/** acc + x, disposing both inputs (x alone when acc is null). */
function accumulate(acc: tf.Tensor | null, x: tf.Tensor): tf.Tensor {
  if (!acc) return x;
  const sum = tf.add(acc, x);
  acc.dispose();
  x.dispose();
  return sum;
}
