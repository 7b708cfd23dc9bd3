/**
 * Seeded random weights for benchmark models of a given shape.
 *
 * Every linear weight and the embedding are drawn i.i.d. uniform on [−a, a] with a = 0.02·√3, i.e. standard
 * deviation 0.02 (the `initializer_range` of Hugging Face Llama configs; uniform instead of normal because it is
 * one PRNG call per value). RMSNorm gains are 1 and biases 0. Each tensor has its own seed (a hash of the base
 * seed and its Hugging Face name), so a tensor's values do not depend on which other tensors were built.
 */
import { buildWeights, type HostTensor, type TensorSource } from '../model/weights.ts';
import { LlamaModel } from '../model/llama.ts';
import type { LlamaConfig } from '../model/config.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** Seed of the bench's random weights (the same models every run). */
export const BENCH_WEIGHT_SEED = 20240611;

/** Standard deviation of the random weights (HF `initializer_range`). */
export const RANDOM_WEIGHT_STD = 0.02;

/** FNV-1a 32-bit hash of a string (seed mixing only). */
function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Fills `out` with mulberry32 uniforms on [−a, a] (inlined: ~10⁸ values for SmolLM2's shape). */
function fillUniform(out: Float32Array, seed: number, a: number): void {
  let state = seed >>> 0;
  const scale = (2 * a) / 4294967296;
  for (let i = 0; i < out.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) * scale - a;
  }
}

/**
 * A TensorSource of seeded random tensors: norm gains (`*norm.weight`) are 1, biases 0, everything else
 * uniform with standard deviation RANDOM_WEIGHT_STD.
 */
export function randomTensorSource(seed: number): TensorSource {
  const a = RANDOM_WEIGHT_STD * Math.sqrt(3);
  return (hfName: string, shape: number[]): HostTensor => {
    const data = new Float32Array(shape.reduce((x, y) => x * y, 1));
    if (/norm\.weight$/.test(hfName)) data.fill(1);
    else if (!hfName.endsWith('.bias')) fillUniform(data, hashString(hfName, seed), a);
    return { shape, data };
  };
}

/** A LlamaModel of the given shape with seeded random weights (dispose() it). */
export function randomModel(config: LlamaConfig, seed = 1, keep?: KeepMask): LlamaModel {
  return new LlamaModel(config, buildWeights(config, randomTensorSource(seed)), keep);
}
