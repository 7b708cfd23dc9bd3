/**
 * AdamW (engine/train/adamw.ts, same hyper-parameters, defaults and saved-state format) whose master weights,
 * moments and per-thread gradients live in SharedArrayBuffers (shared-update.ts), so every thread of a
 * data-parallel step (engine/train/trainer.ts with a WorkerPool) reduces the gradients and applies the update
 * on its own shard of every parameter. Host memory: (3 + threads) × 4 bytes per trainable parameter (θ, m, v,
 * one gradient buffer per thread); nothing on the backend's heap, where the moments of adamw.ts would take
 * 8 bytes per trainable parameter.
 *
 * Invariant: at the start of every step, θ equals the trained weights of the model and of every worker's copy
 * (θ is read from the model when the optimizer is made; each step ends with every copy loading θ). Nothing else
 * may write a trained weight while this optimizer is in use.
 */
import type * as tf from '@tensorflow/tfjs';
import { defaultWeightDecay, matchSavedState, OptimizerSlots, resolveAdamW, type AdamWOptions, type AdamWParam, type AdamWState, type Optimizer, type OptimizerTensor, type ResolvedAdamW } from '../train/adamw.ts';
import type { SharedAdamWStep, SharedParam } from './shared-update.ts';

interface HostSlot {
  shared: SharedParam;
  variable: tf.Variable;
  /** Updates applied to this parameter (its bias-correction step). */
  t: number;
  weightDecay: number;
}

/** AdamW with its state in shared host memory, for `threads` threads. */
export class HostAdamW extends OptimizerSlots<HostSlot> implements Optimizer {
  private readonly hyper: ResolvedAdamW;

  /**
   * Allocates the shared buffers and copies each parameter's current value into θ.
   * @param threads threads of the data-parallel step (main included), ≥ 1
   * @throws RangeError on a hyper-parameter out of range, a duplicate parameter name or a bad thread count
   */
  constructor(params: readonly AdamWParam[], options: AdamWOptions, readonly threads: number) {
    super();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    this.hyper = resolveAdamW(options);
    for (const p of params) {
      if (this.slots.has(p.name)) throw new RangeError(`AdamW: parameter "${p.name}" given twice`);
      const bytes = 4 * p.variable.size;
      const theta = new SharedArrayBuffer(bytes);
      new Float32Array(theta).set(p.variable.dataSync() as Float32Array);
      this.slots.set(p.name, {
        shared: {
          name: p.name, shape: p.variable.shape.slice(), theta, m: new SharedArrayBuffer(bytes), v: new SharedArrayBuffer(bytes),
          grads: Array.from({ length: threads }, () => new SharedArrayBuffer(bytes)),
        },
        variable: p.variable,
        t: 0,
        weightDecay: p.weightDecay ?? defaultWeightDecay(p.variable, this.hyper.matrixDecay),
      });
    }
  }

  /**
   * The shared buffers of the named parameters, in the given order.
   * @throws Error on a name without state
   */
  shared(names: readonly string[]): SharedParam[] {
    return names.map((name) => {
      const slot = this.slots.get(name);
      if (!slot) throw new Error(`AdamW: gradient for unknown parameter "${name}"`);
      return slot.shared;
    });
  }

  /**
   * Advances the step count (t ← t + 1, and each named parameter's own t) and returns the update's constants.
   * @throws RangeError on a learning rate that is not finite and ≥ 0, Error on an unknown name (nothing advances)
   */
  nextUpdate(names: readonly string[], lr: number, gradScale: number): SharedAdamWStep {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new RangeError(`learning rate must be finite and ≥ 0, got ${lr}`);
    const slots = names.map((name) => {
      const slot = this.slots.get(name);
      if (!slot) throw new Error(`AdamW: gradient for unknown parameter "${name}"`);
      return slot;
    });
    this.t += 1;
    const { beta1, beta2, epsilon } = this.hyper;
    return { lr, gradScale, beta1, beta2, epsilon, params: slots.map((s) => ({ t: ++s.t, weightDecay: s.weightDecay })) };
  }

  release(names: Iterable<string>): void {
    for (const name of names) this.slots.delete(name);
  }

  exportState(): Promise<AdamWState> {
    const tensors: OptimizerTensor[] = [];
    for (const [name, slot] of this.slots) {
      for (const [suffix, buffer] of [['exp_avg', slot.shared.m], ['exp_avg_sq', slot.shared.v]] as const) {
        tensors.push({ name: `${name}/${suffix}`, shape: slot.shared.shape.slice(), data: new Float32Array(buffer).slice() });
      }
    }
    const paramSteps = Object.fromEntries([...this.slots].map(([name, slot]) => [name, slot.t]));
    return Promise.resolve({ step: this.t, tensors, paramSteps });
  }

  importState(state: AdamWState): string[] {
    const { matched, ignored } = matchSavedState(state, [...this.slots].map(([name, slot]) => [name, slot.shared.shape]));
    for (const { param, moment, saved } of matched) new Float32Array(this.slots.get(param)!.shared[moment]).set(saved.data);
    this.t = state.step;
    for (const [name, slot] of this.slots) slot.t = state.paramSteps?.[name] ?? state.step;
    return ignored;
  }

  dispose(): void {
    this.slots.clear();
  }
}
