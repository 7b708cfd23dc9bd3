/**
 * A model's weights in SharedArrayBuffers, so worker threads (pool.ts) build their own copy of the model without
 * a per-worker copy through postMessage. Tensors are in Hugging Face layout ([out, in] for linear weights,
 * weights.ts), float32. Host memory: one float32 copy of the model while the workers start (the pool keeps no
 * reference); the updates of training reach the workers through shared-update.ts.
 */
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
