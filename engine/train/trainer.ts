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
import { AdamW, type AdamWOptions, type Optimizer } from './adamw.ts';
import type { HostBatch } from './batch.ts';
import { clipInPlace, globalNorm } from './clip.ts';
import { microBatchGradients } from './gradients.ts';
import type { WorkerPool } from '../parallel/pool.ts';
import { HostAdamW } from '../parallel/host-adamw.ts';
import { dataParallelStep } from '../parallel/data-parallel.ts';
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
   * between the main thread and the workers (data-parallel), and every thread reduces and updates its shard of
   * the weights in shared memory (engine/parallel/data-parallel.ts; the optimizer is then HostAdamW). Absent
   * or without workers: one thread, AdamW on the backend.
   */
  pool?: WorkerPool;
  /**
   * Distillation (engine/trim/variants.ts `distill`): a teacher model whose logits on each batch add
   * KL(teacher ‖ student) on the target tokens to the loss (loss.ts maskedKlSum), same 1/N normalisation.
   */
  teacher?: LlamaModel;
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
  readonly optimizer: Optimizer;
  /** The same optimizer by kind: on the backend (one thread) or in shared memory (data-parallel). */
  private readonly update: { device: AdamW } | { host: HostAdamW; pool: WorkerPool };
  private readonly spec: TrainableSpec;
  private readonly maxGradNorm: number;
  private readonly teacher: LlamaModel | undefined;

  /**
   * Creates optimizer state for the weights trainable now (kept ∩ trainable).
   * @throws Error on a bad sub-layer name or a pool with a teacher, RangeError on bad optimizer or clipping settings
   */
  constructor(
    readonly model: LlamaModel,
    options: TrainerOptions = {},
  ) {
    this.spec = options.trainable ?? {};
    this.maxGradNorm = options.maxGradNorm ?? 1.0;
    this.teacher = options.teacher;
    if (!(this.maxGradNorm > 0)) throw new RangeError(`maxGradNorm must be positive, got ${this.maxGradNorm}`);
    const pool = options.pool && options.pool.size > 0 ? options.pool : null;
    if (pool && this.teacher) throw new Error('distillation runs on one thread: the workers hold no teacher');
    const params = selectTrainable(model, this.spec);
    if (pool) {
      const host = new HostAdamW(params, options.optimizer ?? {}, pool.size + 1);
      this.update = { host, pool };
      this.optimizer = host;
    } else {
      const device = new AdamW(params, options.optimizer);
      this.update = { device };
      this.optimizer = device;
    }
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
    if ('host' in this.update) {
      const r = await dataParallelStep(this.update.pool, this.model, this.update.host, params, microBatches, lr, this.maxGradNorm, targetTokens);
      return { ...r, targetTokens, realTokens, seconds: (performance.now() - start) / 1000 };
    }
    const grads = new Map<string, tf.Tensor>();
    let lossSum: tf.Scalar | null = null;
    let norm: tf.Scalar | null = null;
    const add = (name: string, grad: tf.Tensor) => grads.set(name, accumulate(grads.get(name) ?? null, grad));
    try {
      for (const mb of microBatches) {
        const local = microBatchGradients(this.model, params, mb, targetTokens, this.teacher);
        lossSum = accumulate(lossSum, local.loss) as tf.Scalar;
        for (const [name, grad] of local.grads) add(name, grad);
      }
      // in place: each clipped gradient replaces its input at once (one gradient's bytes of headroom, not all)
      norm = this.maxGradNorm === Infinity ? globalNorm(grads.values()) : clipInPlace(grads, this.maxGradNorm);
      this.update.device.apply(grads, lr);
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
