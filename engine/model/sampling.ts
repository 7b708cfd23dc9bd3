/**
 * Next-token selection from one position's logits, as a chain of small logits processors (the structure of
 * transformers' LogitsProcessor list): repetition penalty → temperature → top-k → top-p → draw. Works on a
 * host Float32Array of V logits (read once per step; the draw itself is O(V log V) at worst).
 */
import { createRng } from '../random.ts';

/** Sampling settings. Temperature 0 means greedy (argmax; ties go to the lowest id, as numpy's argmax). */
export interface SamplingOptions {
  /** Softmax temperature; 0 = greedy. Default 0. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 = off). */
  topK?: number;
  /**
   * Nucleus sampling: keep the smallest set of most likely tokens whose probability mass ≥ p (Holtzman et al.
   * 2020 §3.1), never fewer than one token. In [0, 1], as in the OpenAI API and transformers: 1 = off, 0 = the
   * most likely token only (greedy; transformers PR #19839 made 0 degrade to argmax).
   */
  topP?: number;
  /** CTRL repetition penalty θ ≥ 1 on tokens already present (Keskar et al. 2019 §4.1); 1 = off. */
  repetitionPenalty?: number;
  /** Seed of the sampler's random numbers (repeatable runs). */
  seed?: number;
}

/** Index of the largest value (first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export { createRng } from '../random.ts';

/** Applies the CTRL repetition penalty in place: positive logits divided by θ, negative ones multiplied. */
export function applyRepetitionPenalty(logits: Float32Array, previous: readonly number[], penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(previous)) {
    const v = logits[id]!;
    logits[id] = v > 0 ? v / penalty : v * penalty;
  }
}

/**
 * Softmax of logits/temperature, restricted by top-k and top-p (top-p 0 keeps the most likely token only).
 * @returns candidate ids (most likely first) and their renormalised probabilities
 */
export function candidateDistribution(
  logits: Float32Array,
  temperature: number,
  topK = 0,
  topP = 1,
): { ids: number[]; probs: number[] } {
  let ids = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b);
  if (topK > 0) ids = ids.slice(0, topK);
  const max = logits[ids[0]!]!;
  let probs = ids.map((id) => Math.exp((logits[id]! - max) / temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / total);
  if (topP < 1) {
    let mass = 0;
    let keep = 0;
    while (keep < probs.length && mass < topP) mass += probs[keep++]!;
    ids = ids.slice(0, Math.max(1, keep));
    probs = probs.slice(0, ids.length);
    total = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / total);
  }
  return { ids, probs };
}

/** A stateful sampler: call `next(logits, previousIds)` once per step. */
export interface Sampler {
  /**
   * Picks the next token.
   * @param logits [vocab] logits of the last position (modified in place by the repetition penalty)
   * @param previous ids already in the sequence (prompt and generated), for the repetition penalty
   */
  next(logits: Float32Array, previous: readonly number[]): number;
}

/**
 * Builds a sampler from options.
 * @throws RangeError naming the setting: a negative temperature, topP outside [0, 1], topK not an integer ≥ 0,
 *   a repetition penalty ≤ 0, or a seed outside the range of createRng
 */
export function createSampler(options: SamplingOptions = {}): Sampler {
  const { temperature = 0, topK = 0, topP = 1, repetitionPenalty = 1, seed = 0 } = options;
  if (!(temperature >= 0)) throw new RangeError(`temperature must be ≥ 0, got ${temperature}`);
  if (!(topP >= 0 && topP <= 1)) throw new RangeError(`top-p must be in [0, 1], got ${topP}`);
  if (!(Number.isInteger(topK) && topK >= 0)) throw new RangeError(`top-k must be an integer ≥ 0, got ${topK}`);
  if (!(repetitionPenalty > 0)) throw new RangeError(`repetition penalty must be > 0, got ${repetitionPenalty}`);
  const random = createRng(seed);
  return {
    next(logits, previous) {
      applyRepetitionPenalty(logits, previous, repetitionPenalty);
      if (temperature === 0) return argmax(logits);
      const { ids, probs } = candidateDistribution(logits, temperature, topK, topP);
      let r = random();
      for (let i = 0; i < ids.length; i++) {
        r -= probs[i]!;
        if (r < 0) return ids[i]!;
      }
      return ids[ids.length - 1]!;
    },
  };
}
