/**
 * The engine's seeded randomness for data handling: one small PRNG (mulberry32) and a Fisher–Yates permutation,
 * so splits, samples, calibration sets, rule-based baselines and sampling are repeatable from a seed.
 * (The trainer's batch order uses engine/train/rng.ts, which mixes several seeds.)
 */

/** mulberry32: a small, fast, seedable 32-bit PRNG returning floats in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A permutation of 0..n-1, deterministic for (n, seed): Fisher–Yates driven by createRng(seed). */
export function seededPermutation(n: number, seed: number): number[] {
  const rand = createRng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** At most `max` items, a seeded sample kept in source order (all of them when max is undefined or large). */
export function seededSample<T>(items: readonly T[], max: number | undefined, seed: number): T[] {
  if (max === undefined || items.length <= max) return [...items];
  return seededPermutation(items.length, seed).slice(0, max).sort((a, b) => a - b).map((i) => items[i]!);
}
