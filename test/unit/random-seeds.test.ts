// Issue 11, defect 3: every seed up to 2^53 − 1 drives its own stream (the PRNG used to keep only the low 32
// bits, so --seed 4294967297 repeated --seed 1), and a seed beyond that is refused with the range in the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, deriveSeed, MAX_SEED, seededPermutation } from '../../engine/random.ts';
import { createSampler } from '../../engine/model/sampling.ts';
import { assignSplits } from '../../engine/data/split.ts';
import { run as generate } from '../../electron/cli/commands/generate.ts';

const draws = (seed: number, n = 8) => {
  const r = createRng(seed);
  return Array.from({ length: n }, () => r());
};

test('seeds that agree in their low 32 bits give different streams, splits and samples', () => {
  for (const [a, b] of [[1, 4294967297], [0, 2 ** 32], [5, 2 ** 52 + 5], [7, MAX_SEED - 2 ** 32 + 8]]) {
    assert.notDeepEqual(draws(a!), draws(b!), `${a} vs ${b}`);
    assert.notDeepEqual(seededPermutation(50, a!), seededPermutation(50, b!));
    const split = (seed: number) => assignSplits(new Array(50).fill(undefined), { seed }).splits;
    assert.notDeepEqual(split(a!), split(b!));
  }
  const sampled = (seed: number) => {
    const s = createSampler({ temperature: 1, seed });
    const logits = Float32Array.from([0, 0, 0, 0]);
    return Array.from({ length: 32 }, () => s.next(logits.slice(), []));
  };
  assert.notDeepEqual(sampled(1), sampled(4294967297));
  assert.deepEqual(draws(MAX_SEED), draws(MAX_SEED), 'repeatable');
  assert.ok(draws(MAX_SEED).every((x) => x >= 0 && x < 1));
});

test('a seed outside [0, 2^53 − 1] is refused, naming the range', async () => {
  for (const bad of [-1, 2 ** 53, 1.5, Number.NaN]) assert.throws(() => createRng(bad), /seed must be an integer in \[0, 9007199254740991\]/);
  await assert.rejects(
    generate(['--model', '/nonexistent.bin', '--seed', '1152921504606846977']),
    /^UsageError: --seed must be an integer in \[0, 9007199254740991\], got "1152921504606846977"$/,
  );
});

test('derived seeds (a salt per epoch or split) stay in range and distinct for distinct seeds', () => {
  assert.equal(deriveSeed(3, 2, 7919), 3 * 7919 + 2);
  const top = [MAX_SEED, MAX_SEED - 1, 2 ** 52].map((s) => deriveSeed(s, 1, 7919));
  for (const d of top) assert.ok(Number.isSafeInteger(d) && d >= 0 && d <= MAX_SEED, String(d));
  assert.equal(new Set(top).size, 3);
  assert.equal(deriveSeed(MAX_SEED, 1), 0, 'wraps modulo 2^53');
});
