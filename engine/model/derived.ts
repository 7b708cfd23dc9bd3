/**
 * Tensors derived from a model's weights for inference — the tied LM head transposed to [dim, vocab], each
 * block's fused q/k/v and gate/up projections — built lazily on first use and rebuilt when a source weight
 * changes. A tf.Variable gets new data (a new dataId) on every `assign` (an optimizer step, restoreTensors), so
 * an entry remembers its sources' dataIds and is stale as soon as one differs. Training keeps using the
 * Hugging Face-named per-matrix variables (weights.ts); the derived copies cost memory (their own bytes, plus
 * the XNNPACK-packed copy the wasm backend makes of a matmul's right operand), reported by `bytes()`.
 *
 * `release` frees entries without changing the number of tensors the cache holds: a released entry keeps one
 * 1-value placeholder per tensor until it is rebuilt, so `tf.memory().numTensors` of a model stays the same
 * whether its copies are built, stale or released, and leak checks can compare counts across training steps.
 */
import * as tf from '@tensorflow/tfjs';

interface Entry {
  sources: tf.DataId[];
  tensors: tf.Tensor[];
}

/** A keyed cache of derived tensors (see the file docstring). Free with clear(). */
export class DerivedTensors {
  private readonly entries = new Map<string, Entry>();
  /** Times an entry was (re)built, for tests. */
  builds = 0;

  /**
   * The tensors derived under `key` from `sources`, building (or rebuilding, when a source's data changed)
   * them with `build`. The cache owns what build returns (kept out of any enclosing tf.tidy).
   */
  get<T extends tf.Tensor[]>(key: string, sources: readonly tf.Tensor[], build: () => T): T {
    const entry = this.entries.get(key);
    if (entry && entry.sources.length > 0 && entry.sources.length === sources.length && entry.sources.every((d, i) => d === sources[i]!.dataId)) {
      return entry.tensors as T;
    }
    if (entry) tf.dispose(entry.tensors);
    const tensors = build();
    tensors.forEach((t) => tf.keep(t));
    this.entries.set(key, { sources: sources.map((s) => s.dataId), tensors });
    this.builds++;
    return tensors;
  }

  /**
   * Frees the tensors of the entries whose key satisfies `which`, leaving placeholders (see the file
   * docstring); the next get() rebuilds them.
   */
  release(which: (key: string) => boolean): void {
    for (const [key, entry] of this.entries) {
      if (!which(key) || entry.sources.length === 0) continue;
      tf.dispose(entry.tensors);
      this.entries.set(key, { sources: [], tensors: entry.tensors.map(() => tf.keep(tf.zeros([1]))) });
    }
  }

  /** Frees the entries whose key satisfies `which` (default: all), placeholders and all. */
  clear(which: (key: string) => boolean = () => true): void {
    for (const [key, entry] of this.entries) {
      if (!which(key)) continue;
      tf.dispose(entry.tensors);
      this.entries.delete(key);
    }
  }

  /** Bytes held by the entries whose key satisfies `which` (default: all), float32 at 4 bytes a value. */
  bytes(which: (key: string) => boolean = () => true): number {
    let total = 0;
    for (const [key, entry] of this.entries) {
      if (which(key) && entry.sources.length > 0) total += entry.tensors.reduce((a, t) => a + t.size * 4, 0);
    }
    return total;
  }
}

/** True while a gradient tape records (inside tf.variableGrads / tf.grads): training, not inference. */
export function recordingGradients(): boolean {
  return tf.engine().state.gradientDepth > 0;
}

/**
 * `f`'s gradients with respect to `xs` times `dy`, computed inside a gradient function (a backward pass): tfjs
 * (4.22) runs a backward pass at gradient depth 0, where a nested tf.grads would start its tape over the outer
 * one and clear it when done (engine.gradients); the outer tape is set aside meanwhile and restored. Gradients of
 * `xs` that `f` does not reach are zeros. The caller owns the result.
 */
export function gradientsInBackward(f: () => tf.Tensor, xs: readonly tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const state = tf.engine().state as unknown as { activeTape: unknown };
  const outer = state.activeTape;
  state.activeTape = null;
  try {
    const { value, grads } = tf.engine().gradients(f, [...xs], dy, true);
    value.dispose();
    return grads.map((g, i) => g ?? tf.zerosLike(xs[i]!));
  } finally {
    state.activeTape = outer;
  }
}
