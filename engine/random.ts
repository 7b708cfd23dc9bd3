/**
 * The engine's seeded randomness for data handling: one small PRNG (mulberry32) and a Fisher–Yates permutation,
 * so splits, samples, calibration sets, rule-based baselines and sampling are repeatable from a seed.
 * (The trainer's batch order uses engine/train/rng.ts, which mixes several seeds.)
 *
 * Seeds are integers in [0, MAX_SEED] (every JavaScript safe integer ≥ 0), and each one drives its own stream:
 * mulberry32's 32-bit counter starts at the seed's low 32 bits, and its high bits, through MurmurHash3's fmix32
 * (a bijection with fmix32(0) = 0), are XORed into the counter before each output is mixed. Seeds below 2^32
 * give mulberry32's own streams, as before; a larger seed no longer repeats the stream of its low 32 bits.
 */

/** The largest seed: 2^53 − 1 (Number.MAX_SAFE_INTEGER); seeds are integers in [0, MAX_SEED]. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** MurmurHash3's 32-bit finaliser fmix32: a bijective avalanche of a 32-bit integer (fmix32(0) = 0). */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Checks a seed.
 * @throws RangeError naming the range when it is not an integer in [0, MAX_SEED]
 */
export function checkSeed(seed: number): void {
  if (!(Number.isSafeInteger(seed) && seed >= 0)) throw new RangeError(`seed must be an integer in [0, ${MAX_SEED}], got ${seed}`);
}

/**
 * mulberry32 (a small, fast, seedable PRNG) returning floats in [0, 1), extended to 53-bit seeds (see the module
 * comment).
 * @throws RangeError when the seed is not an integer in [0, MAX_SEED]
 */
export function createRng(seed: number): () => number {
  checkSeed(seed);
  let a = seed >>> 0;
  const high = fmix32(Math.floor(seed / 2 ** 32));
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = (a ^ high) >>> 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seed derived from another and a salt (an epoch, a split's number): (seed · multiplier + salt) mod 2^53, exact
 * (computed in 32-bit halves). It equals seed · multiplier + salt whenever that is at most MAX_SEED, and with an
 * odd multiplier distinct seeds give distinct derived seeds for one salt.
 * @param multiplier an odd integer in [1, 2^21) (default 1)
 * @param salt an integer in [0, 2^32)
 * @throws RangeError when the seed is out of range (checkSeed), or the multiplier or salt is
 */
export function deriveSeed(seed: number, salt: number, multiplier = 1): number {
  checkSeed(seed);
  if (!(Number.isInteger(multiplier) && multiplier % 2 === 1 && multiplier > 0 && multiplier < 2 ** 21)) {
    throw new RangeError(`seed multiplier must be an odd integer in [1, 2^21), got ${multiplier}`);
  }
  if (!(Number.isInteger(salt) && salt >= 0 && salt < 2 ** 32)) throw new RangeError(`seed salt must be an integer in [0, 2^32), got ${salt}`);
  const low = (seed % 2 ** 32) * multiplier + salt; // < 2^53: exact
  const high = (Math.floor(seed / 2 ** 32) * multiplier + Math.floor(low / 2 ** 32)) % 2 ** 21; // < 2^42 before the mod
  return high * 2 ** 32 + (low % 2 ** 32);
}

/**
 * Returns a shuffled copy of `items` (Fisher–Yates; Knuth, TAOCP vol. 2 §3.4.2, Algorithm P) driven by `next`, a
 * stream of uniform numbers in [0, 1); the input is not modified.
 */
export function fisherYates<T>(items: readonly T[], next: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A permutation of 0..n-1, deterministic for (n, seed): Fisher–Yates driven by createRng(seed). */
export function seededPermutation(n: number, seed: number): number[] {
  return fisherYates(Array.from({ length: n }, (_, i) => i), createRng(seed));
}

/** At most `max` items, a seeded sample kept in source order (all of them when max is undefined or large). */
export function seededSample<T>(items: readonly T[], max: number | undefined, seed: number): T[] {
  if (max === undefined || items.length <= max) return [...items];
  return seededPermutation(items.length, seed).slice(0, max).sort((a, b) => a - b).map((i) => items[i]!);
}
