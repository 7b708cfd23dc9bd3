/**
 * The optimizer step of a data-parallel training step, in shared memory (host-adamw.ts owns the buffers, the
 * trainer and every worker run these functions on their own part). For each trainable parameter (float32, the
 * variable's own layout, so no transpose on either side):
 *
 *   θ, m, v                    one SharedArrayBuffer each (the master weight and AdamW's moments)
 *   grads[j]                   one SharedArrayBuffer per thread j: the gradient of thread j's rows of the step
 *
 * A step runs in four phases, each on every thread at once and each thread on its own shard of every parameter
 * (shardRange: contiguous element ranges, so no two threads write the same float):
 *
 *   1. gradients:  thread j writes ∇ of its rows into grads[j]                         (writeGradients)
 *   2. reduce:     g = Σ_j grads[j] in thread order, into grads[0]; Σ g² of the shard (reduceShard)
 *   3. update:     clip g by the global norm, then AdamW on θ, m, v                (adamwShard)
 *   4. load:       every thread assigns θ to its copy of the model                     (loadShared)
 *
 * so only gradients and updated weights cross threads, the update runs on every core, and every copy of the
 * model ends the step with the same bits. The arithmetic is float64 on float32 storage; the formulas are
 * AdamW's (adamw.ts: Loshchilov & Hutter 2019, Algorithm 2, PyTorch's decay convention) and global-norm
 * clipping's (clip.ts: Pascanu et al. 2013, Algorithm 1).
 */
import * as tf from '@tensorflow/tfjs';
import { wasmHeapView } from '../backend/wasm-kernels.ts';

/** One trainable parameter's shared buffers. */
export interface SharedParam {
  /** Hugging Face name of the weight. */
  name: string;
  /** The variable's shape (its own layout). */
  shape: number[];
  /** Master weight θ, float32. */
  theta: SharedArrayBuffer;
  /** AdamW's first moment m, float32. */
  m: SharedArrayBuffer;
  /** AdamW's second moment v, float32. */
  v: SharedArrayBuffer;
  /** One gradient buffer per thread (thread 0 is the main thread), float32; grads[0] holds their sum after reduce. */
  grads: SharedArrayBuffer[];
}

/** Constants of one AdamW update (the same on every thread). */
export interface SharedAdamWStep {
  /** Learning rate lr_t. */
  lr: number;
  /** Clipping factor maxNorm / max(‖g‖, maxNorm) (1: no clipping). */
  gradScale: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Per parameter, in the order of the SharedParam list: its bias-correction step t (≥ 1) and weight decay λ. */
  params: { t: number; weightDecay: number }[];
}

/** [start, end) of the elements of a `size`-element parameter that thread `part` of `parts` owns. */
export function shardRange(size: number, part: number, parts: number): [number, number] {
  return [Math.floor((part * size) / parts), Math.floor(((part + 1) * size) / parts)];
}

/**
 * Writes (or, with `accumulate`, adds) this thread's gradients into its buffers grads[part]. A parameter without a
 * gradient (the loss does not reach it) gets zeros.
 * @throws Error when a gradient's element count differs from its parameter's
 */
export async function writeGradients(params: readonly SharedParam[], part: number, grads: ReadonlyMap<string, tf.Tensor>, accumulate: boolean): Promise<void> {
  for (const p of params) {
    const out = new Float32Array(p.grads[part]!);
    const g = grads.get(p.name);
    if (!g) {
      if (!accumulate) out.fill(0);
      continue;
    }
    const data = wasmHeapView(g) ?? ((await g.data()) as Float32Array); // read at once: no allocation in between
    if (data.length !== out.length) throw new Error(`gradient of "${p.name}" has ${data.length} elements, the parameter ${out.length}`);
    if (!accumulate) out.set(data);
    else for (let i = 0; i < out.length; i++) out[i]! += data[i]!;
  }
}

/**
 * Phase 2 on one shard: grads[0] ← g = Σ_j grads[j] (float32 additions in thread order); returns the shard's Σ g²
 * (float64).
 */
export function reduceShard(params: readonly SharedParam[], part: number, parts: number): number {
  let squares = 0;
  for (const p of params) {
    const sum = new Float32Array(p.grads[0]!);
    const [start, end] = shardRange(sum.length, part, parts);
    for (let j = 1; j < p.grads.length - 1; j++) {
      const other = new Float32Array(p.grads[j]!);
      for (let i = start; i < end; i++) sum[i] = sum[i]! + other[i]!;
    }
    if (p.grads.length === 1) {
      for (let i = start; i < end; i++) squares += sum[i]! * sum[i]!;
    } else {
      const last = new Float32Array(p.grads[p.grads.length - 1]!); // the last addition and the squares in one pass
      for (let i = start; i < end; i++) {
        const g = (sum[i] = sum[i]! + last[i]!);
        squares += g * g;
      }
    }
  }
  return squares;
}

/** Phase 3 on one shard: θ, m, v ← AdamW(θ, m, v, gradScale · grads[0]) (see the file docstring). */
export function adamwShard(params: readonly SharedParam[], part: number, parts: number, step: SharedAdamWStep): void {
  const { lr, gradScale, beta1, beta2, epsilon } = step;
  params.forEach((p, k) => {
    const { t, weightDecay } = step.params[k]!;
    const theta = new Float32Array(p.theta);
    const m = new Float32Array(p.m);
    const v = new Float32Array(p.v);
    const g = new Float32Array(p.grads[0]!);
    // m̂ / (√v̂ + ε) = (m / c1) / (√v · (1/√c2) + ε), c_k = 1 − β_k^t
    const stepSize = lr / (1 - beta1 ** t);
    const invSqrtC2 = 1 / Math.sqrt(1 - beta2 ** t);
    const decay = lr * weightDecay;
    const [start, end] = shardRange(theta.length, part, parts);
    for (let i = start; i < end; i++) {
      const gi = g[i]! * gradScale;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const w = theta[i]!;
      theta[i] = w - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + epsilon) - decay * w;
    }
  });
}

/**
 * Phase 4: assigns each parameter's θ to the variable of the same name (a copy onto the backend; on backends that
 * may keep a reference to the given array, a private copy is made first).
 * @throws Error on a name `variables` does not hold
 */
export function loadShared(params: readonly SharedParam[], variables: ReadonlyMap<string, tf.Variable>): void {
  const copies = tf.getBackend() !== 'wasm'; // wasm copies into its heap at once; cpu keeps the array
  for (const p of params) {
    const variable = variables.get(p.name);
    if (!variable) throw new Error(`shared update: the model has no weight "${p.name}"`);
    const view = new Float32Array(p.theta);
    tf.tidy(() => variable.assign(tf.tensor(copies ? view.slice() : view, p.shape, 'float32')));
  }
}
