/**
 * A model's weights in SharedArrayBuffers, so worker threads (pool.ts) build their own copy of the model without
 * a per-worker copy through postMessage, and receive weight updates (after an optimizer step) by reading the
 * changed tensors from the same memory. Tensors are in Hugging Face layout ([out, in] for linear weights,
 * weights.ts), float32. Host memory: one float32 copy of the model, shared by every worker.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from '../model/config.ts';
import { LlamaModel } from '../model/llama.ts';
import { buildWeights, namedWeights, readHfTensor } from '../model/weights.ts';

/** One shared tensor. */
export interface SharedTensor {
  /** Hugging Face name. */
  name: string;
  /** Hugging Face shape. */
  shape: number[];
  /** float32 data, shape's element count × 4 bytes. */
  buffer: SharedArrayBuffer;
}

/** A model's architecture and weights in shared memory (structured-clonable: SharedArrayBuffers are shared). */
export interface SharedWeights {
  config: LlamaConfig;
  tensors: SharedTensor[];
}

/** Copies every weight of `model` into new SharedArrayBuffers. */
export async function shareWeights(model: LlamaModel): Promise<SharedWeights> {
  const tensors: SharedTensor[] = [];
  for (const n of namedWeights(model.weights)) {
    const host = await readHfTensor(n);
    const buffer = new SharedArrayBuffer(host.data.byteLength);
    new Float32Array(buffer).set(host.data);
    tensors.push({ name: n.hfName, shape: host.shape, buffer });
  }
  return { config: model.config, tensors };
}

/**
 * Each named weight of `model` with its shared tensor.
 * @throws Error on a name `shared` (or the model) does not hold
 */
function weightPairs(model: LlamaModel, shared: SharedWeights, names: readonly string[]) {
  const byName = new Map(namedWeights(model.weights).map((n) => [n.hfName, n]));
  const tensors = new Map(shared.tensors.map((t) => [t.name, t]));
  return names.map((name) => {
    const n = byName.get(name);
    const t = tensors.get(name);
    if (!n || !t) throw new Error(`shared weights: no tensor "${name}"`);
    return [n, t] as const;
  });
}

/**
 * Writes the current values of the named weights of `model` into `shared` (after an optimizer step).
 * @throws Error on a name `shared` does not hold
 */
export async function writeShared(model: LlamaModel, shared: SharedWeights, names: readonly string[]): Promise<void> {
  for (const [n, t] of weightPairs(model, shared, names)) new Float32Array(t.buffer).set((await readHfTensor(n)).data);
}

/** A model built from shared weights on the active backend (its variables are copies; dispose() it). */
export function modelFromShared(shared: SharedWeights): LlamaModel {
  const byName = new Map(shared.tensors.map((t) => [t.name, t]));
  const weights = buildWeights(shared.config, (name) => {
    const t = byName.get(name);
    if (!t) throw new Error(`shared weights: missing tensor "${name}"`);
    return { shape: t.shape, data: new Float32Array(t.buffer) };
  });
  return new LlamaModel(shared.config, weights);
}

/** Re-reads the named weights of `model` from `shared` (the main thread wrote them with writeShared). */
export function readShared(model: LlamaModel, shared: SharedWeights, names: readonly string[]): void {
  for (const [n, t] of weightPairs(model, shared, names)) {
    tf.tidy(() => {
      const host = tf.tensor(new Float32Array(t.buffer), t.shape, 'float32');
      n.variable.assign(n.transposed ? tf.transpose(host) : host);
    });
  }
}
