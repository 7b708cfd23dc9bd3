/**
 * A seeded pseudo-random generator for reproducible shuffling (no Math.random anywhere in training).
 *
 * Generator: xorshift32 (Marsaglia 2003, "Xorshift RNGs", J. Stat. Softw. 8(14), shifts 13/17/5), seeded
 * through the 32-bit finaliser of MurmurHash3 so nearby seeds give unrelated streams and seed 0 is valid.
 * Shuffle: Fisher–Yates (Knuth, TAOCP vol. 2 §3.4.2, Algorithm P). Quality is ample for ordering data; it is
 * not for cryptography.
 */
import { fisherYates, fmix32 } from '../random.ts';

/** A stream of uniform numbers in [0, 1). */
export interface Rng {
  /** Next number in [0, 1) (multiples of 2^-32). */
  next(): number;
}

/**
 * Creates a generator from integer seeds (e.g. `createRng(seed, epoch)`); equal seeds give equal streams.
 * @throws RangeError when a seed is not a safe integer
 */
export function createRng(...seeds: number[]): Rng {
  let state = 0x9e3779b9;
  for (const s of seeds) {
    if (!Number.isSafeInteger(s)) throw new RangeError(`seed must be an integer, got ${s}`);
    state = fmix32(state ^ fmix32(s >>> 0) ^ fmix32(Math.floor(s / 2 ** 32) + 0x7f4a7c15));
  }
  if (state === 0) state = 0x6d2b79f5; // xorshift's one fixed point
  return {
    next(): number {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state / 2 ** 32;
    },
  };
}

/** Returns a shuffled copy of `items` (Fisher–Yates, engine/random.ts); the input is not modified. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return fisherYates(items, () => rng.next());
}
