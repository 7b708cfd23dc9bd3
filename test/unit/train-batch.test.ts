import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBatch } from '../../engine/train/batch.ts';
import { planEpoch, stepsPerEpoch } from '../../engine/train/plan.ts';
import { fromEncoded, targetTokenCount, validateExample, type TrainingExample } from '../../engine/train/example.ts';
import { createRng, shuffled } from '../../engine/train/rng.ts';

const a: TrainingExample = { inputIds: [1, 10, 11, 12, 13], lossMask: [0, 0, 0, 1, 1] };
const b: TrainingExample = { inputIds: [1, 20, 21], lossMask: [0, 1, 1] };

test('makeBatch right-pads, shifts targets by one and masks prompt and padding', () => {
  const h = makeBatch([a, b]);
  assert.equal(h.batch, 2);
  assert.equal(h.seq, 5);
  assert.deepEqual([...h.ids], [1, 10, 11, 12, 13, 1, 20, 21, 0, 0]);
  assert.deepEqual([...h.paddingMask], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual([...h.targets], [10, 11, 12, 13, 20, 21, 0, 0]);
  assert.deepEqual([...h.targetMask], [0, 0, 1, 1, 1, 1, 0, 0]);
  assert.equal(h.padded, true);
  assert.equal(h.realTokens, 8);
  assert.equal(h.targetTokens, 4);
  assert.equal(makeBatch([a, a]).padded, false);
  assert.deepEqual([...makeBatch([b, a], 7).ids].slice(3, 5), [7, 7]);
  assert.throws(() => makeBatch([]), RangeError);
});

test('validateExample names the example and the problem', () => {
  assert.doesNotThrow(() => validateExample(a, 0, 32, 8));
  assert.throws(() => validateExample({ inputIds: [1, 2], lossMask: [0] }, 3, 32, 8), /example 3: lossMask has 1/);
  assert.throws(() => validateExample({ inputIds: [1], lossMask: [1] }, 0, 32, 8), /at least 2/);
  assert.throws(() => validateExample(a, 0, 32, 4), /exceed the model's context of 4/);
  assert.throws(() => validateExample({ inputIds: [1, 40], lossMask: [0, 1] }, 0, 32, 8), /id 40, outside/);
  assert.throws(() => validateExample({ inputIds: [1, 2], lossMask: [0, 2] }, 0, 32, 8), /expected 0 or 1/);
  assert.throws(() => validateExample({ inputIds: [1, 2], lossMask: [1, 0] }, 0, 32, 8), /no target token/);
  assert.equal(targetTokenCount({ inputIds: [1, 2, 3], lossMask: [1, 1, 0] }), 1);
  assert.deepEqual(fromEncoded({ ids: [1, 5], loss: [false, true] }), { inputIds: [1, 5], lossMask: [0, 1] });
});

test('the seeded generator is deterministic, seed-sensitive and uniform enough', () => {
  const draw = (...s: number[]) => Array.from({ length: 5 }, ((r) => () => r.next())(createRng(...s)));
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.notDeepEqual(draw(42, 0), draw(42, 1));
  const r = createRng(0);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
  const items = Array.from({ length: 20 }, (_, i) => i);
  const s = shuffled(items, createRng(1));
  assert.deepEqual([...s].sort((x, y) => x - y), items);
  assert.notDeepEqual(s, items);
  assert.throws(() => createRng(1.5), RangeError);
});

test('planEpoch covers every example once, per seed and epoch, with accumulation and bucketing', () => {
  const examples = Array.from({ length: 23 }, (_, i) => ({
    inputIds: new Array<number>(2 + ((i * 7) % 11)).fill(1),
    lossMask: new Array<number>(2 + ((i * 7) % 11)).fill(1),
  }));
  assert.equal(stepsPerEpoch(23, 2, 3), 4);
  for (const bucketWindow of [0, 2]) {
    const plan = planEpoch(examples, { microBatchSize: 2, accumulationSteps: 3, seed: 5, bucketWindow });
    assert.equal(plan.length, 4);
    assert.deepEqual(plan.flat(2).sort((x, y) => x - y), examples.map((_, i) => i));
    assert.ok(plan.every((step) => step.every((mb) => mb.length <= 2) && step.length <= 3));
    assert.deepEqual(plan, planEpoch(examples, { microBatchSize: 2, accumulationSteps: 3, seed: 5, bucketWindow }));
  }
  const e0 = planEpoch(examples, { microBatchSize: 1, seed: 5, epoch: 0 });
  assert.notDeepEqual(e0, planEpoch(examples, { microBatchSize: 1, seed: 5, epoch: 1 }));
  assert.notDeepEqual(e0, planEpoch(examples, { microBatchSize: 1, seed: 6, epoch: 0 }));
  assert.deepEqual(planEpoch(examples, { microBatchSize: 4, seed: 5, shuffle: false })[0], [[0, 1, 2, 3]]);
  // bucketing: padding waste drops against the unbucketed plan
  const waste = (plan: number[][][]) =>
    plan.flat().reduce((w, mb) => {
      const lengths = mb.map((i) => examples[i]!.inputIds.length);
      return w + lengths.reduce((x, n) => x + Math.max(...lengths) - n, 0);
    }, 0);
  const plain = planEpoch(examples, { microBatchSize: 4, seed: 5 });
  const bucketed = planEpoch(examples, { microBatchSize: 4, seed: 5, bucketWindow: 6 });
  assert.ok(waste(bucketed) < waste(plain), `${waste(bucketed)} < ${waste(plain)}`);
  assert.throws(() => planEpoch(examples, { microBatchSize: 0, seed: 1 }), RangeError);
});
