/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization",
 * Algorithm 2; Adam: Kingma & Ba 2015, Algorithm 1, with bias correction). For each parameter θ with gradient g
 * at step t = 1, 2, …:
 *
 *   m_t = β1 m_{t−1} + (1 − β1) g            v_t = β2 v_{t−1} + (1 − β2) g²
 *   m̂_t = m_t / (1 − β1^t)                   v̂_t = v_t / (1 − β2^t)
 *   θ_t = θ_{t−1} − lr_t · ( m̂_t / (√v̂_t + ε) + λ θ_{t−1} )
 *
 * lr_t is the scheduled learning rate (schedule.ts) and λ the per-parameter weight decay. This is Algorithm 2
 * with α η_t = lr_t and its λ = lr_t λ / η_t, i.e. the decay is scaled by the learning rate the way PyTorch's
 * `torch.optim.AdamW` does, so λ values carry over from PyTorch recipes. Decay defaults to 0 for vectors (RMSNorm
 * gains, biases) and to `weightDecay` for matrices (defaultWeightDecay).
 *
 * The moments m and v are tf.Variables owned by the optimizer, created once, updated in place, freed by
 * dispose(). exportState/importState round-trip them exactly (float32) with the step count, so a checkpoint
 * resumes training bit for bit.
 */
import * as tf from '@tensorflow/tfjs';

/** Hyper-parameters of AdamW. */
export interface AdamWOptions {
  /** Decay rate of the first moment, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay rate of the second moment, in [0, 1). Default 0.999. */
  beta2?: number;
  /** Added to √v̂ for stability. Default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay λ for matrices (rank ≥ 2), PyTorch convention. Default 0.01. */
  weightDecay?: number;
}

/** A parameter handed to the optimizer. */
export interface AdamWParam {
  /** Stable name (e.g. the Hugging Face tensor name): gradients and saved state are keyed by it. */
  name: string;
  /** The weight, updated in place. */
  variable: tf.Variable;
  /** Weight decay of this parameter; default: defaultWeightDecay(variable, options.weightDecay). */
  weightDecay?: number;
}

/** One saved state tensor: `${param}/exp_avg` (m) or `${param}/exp_avg_sq` (v), PyTorch's names. */
export interface OptimizerTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The optimizer's full state, for checkpoints. */
export interface AdamWState {
  /** Number of updates applied so far (t of the last update). */
  step: number;
  tensors: OptimizerTensor[];
  /** Updates applied to each parameter (bias-correction step), when it differs from `step`. */
  paramSteps?: Record<string, number>;
}

interface Slot {
  variable: tf.Variable;
  /** Updates applied to this parameter (its bias-correction step; a parameter added later starts at 0). */
  t: number;
  weightDecay: number;
  m: tf.Variable;
  v: tf.Variable;
}

/** 0 for vectors and scalars (norm gains, biases), `matrixDecay` for matrices. */
export function defaultWeightDecay(variable: tf.Variable, matrixDecay: number): number {
  return variable.rank >= 2 ? matrixDecay : 0;
}

/** AdamW's hyper-parameters with their defaults applied. */
export interface ResolvedAdamW {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** λ of matrices (defaultWeightDecay). */
  matrixDecay: number;
}

/**
 * The hyper-parameters with their defaults (β1 0.9, β2 0.999, ε 1e-8, λ 0.01).
 * @throws RangeError on a value out of range
 */
export function resolveAdamW(options: AdamWOptions = {}): ResolvedAdamW {
  const r = { beta1: options.beta1 ?? 0.9, beta2: options.beta2 ?? 0.999, epsilon: options.epsilon ?? 1e-8, matrixDecay: options.weightDecay ?? 0.01 };
  for (const [k, v] of [['beta1', r.beta1], ['beta2', r.beta2]] as const) {
    if (!(v >= 0 && v < 1)) throw new RangeError(`AdamW ${k} must be in [0, 1), got ${v}`);
  }
  if (!(r.epsilon > 0)) throw new RangeError(`AdamW epsilon must be positive, got ${r.epsilon}`);
  if (!(r.matrixDecay >= 0)) throw new RangeError(`AdamW weightDecay must be ≥ 0, got ${r.matrixDecay}`);
  return r;
}

/** A saved moment matched to a parameter of the optimizer restoring it. */
export interface MatchedMoment {
  param: string;
  moment: 'm' | 'v';
  saved: OptimizerTensor;
}

/**
 * Matches a saved state to an optimizer's parameters: both moments of every parameter, shapes checked.
 * @param params name and shape of each parameter
 * @returns the matches and the names of saved entries no parameter takes (e.g. of a sub-layer dropped since)
 * @throws Error on a missing entry, a shape or size mismatch, or a bad step count
 */
export function matchSavedState(state: AdamWState, params: Iterable<[string, readonly number[]]>): { matched: MatchedMoment[]; ignored: string[] } {
  if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`AdamW state: bad step ${state.step}`);
  const byName = new Map(state.tensors.map((t) => [t.name, t]));
  const matched: MatchedMoment[] = [];
  for (const [param, shape] of params) {
    for (const [suffix, moment] of [['exp_avg', 'm'], ['exp_avg_sq', 'v']] as const) {
      const key = `${param}/${suffix}`;
      const saved = byName.get(key);
      if (!saved) throw new Error(`AdamW state: missing "${key}"`);
      const size = saved.shape.reduce((a, b) => a * b, 1);
      if (!tf.util.arraysEqual(saved.shape, [...shape]) || saved.data.length !== size) {
        throw new Error(`AdamW state: "${key}" has shape [${saved.shape}], expected [${shape}]`);
      }
      matched.push({ param, moment, saved });
      byName.delete(key);
    }
  }
  return { matched, ignored: [...byName.keys()] };
}

/**
 * What the trainer and the trim pipeline need of an optimizer: AdamW on the backend (this file) or in shared
 * host memory for data-parallel steps (engine/parallel/host-adamw.ts).
 */
export interface Optimizer {
  /** Updates applied so far. */
  readonly step: number;
  /** Names of the parameters with state, in insertion order. */
  readonly paramNames: string[];
  /** Weight decay of a parameter (undefined when unknown). */
  weightDecayOf(name: string): number | undefined;
  /** Frees the state of parameters that will never be updated again. */
  release(names: Iterable<string>): void;
  /** Continues an earlier optimizer's global step count with fresh moments (throws RangeError on a bad step). */
  continueFromStep(step: number): void;
  /** The full state, for checkpoints. */
  exportState(): Promise<AdamWState>;
  /** Restores a saved state (matchSavedState's errors); returns the ignored entries' names. */
  importState(state: AdamWState): string[];
  /** Frees every moment. */
  dispose(): void;
}

/**
 * What every optimizer here keeps the same way: its per-parameter slots by name and the global step t, with the
 * Optimizer members that only read or set them (AdamW on the heap, parallel/host-adamw.ts in shared memory).
 */
export abstract class OptimizerSlots<S extends { weightDecay: number }> {
  protected readonly slots = new Map<string, S>();
  protected t = 0;

  /** Updates applied so far. */
  get step(): number {
    return this.t;
  }

  /** Names of the parameters with state, in insertion order. */
  get paramNames(): string[] {
    return [...this.slots.keys()];
  }

  /** Weight decay used for a parameter (undefined when unknown). */
  weightDecayOf(name: string): number | undefined {
    return this.slots.get(name)?.weightDecay;
  }

  /**
   * Continues the global step count of an earlier optimizer (the learning-rate schedule's position) while this
   * one's moments and bias corrections start fresh, e.g. when healing widens the trainable set.
   * @throws RangeError on a negative or non-integer step
   */
  continueFromStep(step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`AdamW: bad step ${step}`);
    this.t = step;
  }
}

/** AdamW over a fixed set of named tf.Variables. Free with dispose(). */
export class AdamW extends OptimizerSlots<Slot> implements Optimizer {
  /** β1, decay rate of the first moment. */
  readonly beta1: number;
  /** β2, decay rate of the second moment. */
  readonly beta2: number;
  /** ε, added to √v̂. */
  readonly epsilon: number;

  /**
   * @throws RangeError on a hyper-parameter out of range or a duplicate parameter name
   */
  constructor(params: readonly AdamWParam[], options: AdamWOptions = {}) {
    super();
    const { beta1, beta2, epsilon, matrixDecay } = resolveAdamW(options);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    for (const p of params) {
      if (this.slots.has(p.name)) throw new RangeError(`AdamW: parameter "${p.name}" given twice`);
      this.slots.set(p.name, {
        variable: p.variable,
        t: 0,
        weightDecay: p.weightDecay ?? defaultWeightDecay(p.variable, matrixDecay),
        m: tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)), // variables outlive tidy
        v: tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)),
      });
    }
  }

  /**
   * Applies one update (t ← t + 1) to every parameter that has a gradient; parameters without one are left
   * untouched (moments included). Does not dispose the gradients.
   * @param grads parameter name → gradient, same shape as the parameter
   * @param lr learning rate lr_t of this step (≥ 0)
   * @throws Error on an unknown name or a shape mismatch (nothing is updated then), RangeError on a bad lr
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new RangeError(`learning rate must be finite and ≥ 0, got ${lr}`);
    for (const [name, g] of grads) {
      const slot = this.slots.get(name);
      if (!slot) throw new Error(`AdamW: gradient for unknown parameter "${name}"`);
      if (!tf.util.arraysEqual(g.shape, slot.variable.shape)) {
        throw new Error(`AdamW: gradient of "${name}" has shape [${g.shape}], parameter [${slot.variable.shape}]`);
      }
    }
    this.t += 1;
    const { beta1, beta2, epsilon } = this;
    for (const [name, g] of grads) {
      const slot = this.slots.get(name)!;
      const { variable, m, v, weightDecay } = slot;
      slot.t += 1;
      const correction1 = 1 - beta1 ** slot.t; // 1 − β1^t
      const correction2 = 1 - beta2 ** slot.t; // 1 − β2^t
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const mHat = tf.div(m1, correction1);
        const vHat = tf.div(v1, correction2);
        let step = tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon));
        if (weightDecay > 0) step = tf.add(step, tf.mul(variable, weightDecay));
        m.assign(m1);
        v.assign(v1);
        variable.assign(tf.sub(variable, tf.mul(step, lr)));
      });
    }
  }

  /** Frees the state of parameters that will never be updated again (e.g. of a dropped sub-layer). */
  release(names: Iterable<string>): void {
    for (const name of names) {
      const slot = this.slots.get(name);
      if (!slot) continue;
      slot.m.dispose();
      slot.v.dispose();
      this.slots.delete(name);
    }
  }

  /** Reads the state back to the host (moments of every parameter, in paramNames order, and the step). */
  async exportState(): Promise<AdamWState> {
    const tensors: OptimizerTensor[] = [];
    for (const [name, slot] of this.slots) {
      for (const [suffix, t] of [['exp_avg', slot.m], ['exp_avg_sq', slot.v]] as const) {
        tensors.push({ name: `${name}/${suffix}`, shape: t.shape.slice(), data: (await t.data()) as Float32Array });
      }
    }
    const paramSteps = Object.fromEntries([...this.slots].map(([name, slot]) => [name, slot.t]));
    return { step: this.t, tensors, paramSteps };
  }


  /**
   * Restores a saved state. Every parameter's two moments must be present with matching shapes; entries for
   * parameters this optimizer does not have (e.g. of a sub-layer dropped since) are ignored and returned.
   * @returns names of the ignored entries
   * @throws Error on a missing entry, a shape or size mismatch, or a bad step count (nothing is changed then)
   */
  importState(state: AdamWState): string[] {
    const { matched, ignored } = matchSavedState(state, [...this.slots].map(([name, slot]) => [name, slot.variable.shape]));
    for (const { param, moment, saved } of matched) {
      tf.tidy(() => this.slots.get(param)![moment].assign(tf.tensor(saved.data, saved.shape, 'float32')));
    }
    this.t = state.step;
    for (const [name, slot] of this.slots) slot.t = state.paramSteps?.[name] ?? state.step;
    return ignored;
  }

  /** Frees every moment tensor. */
  dispose(): void {
    this.release([...this.slots.keys()]);
  }
}
