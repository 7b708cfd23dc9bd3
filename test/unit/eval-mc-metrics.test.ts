import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateMultipleChoice,
  argmaxFirst,
  choiceLength,
  meanStderr,
  scoreItem,
} from '../../engine/eval/mc-metrics.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test('argmax takes the first index on ties, like numpy', () => {
  assert.equal(argmaxFirst([-1, -0.5, -0.5]), 1);
  assert.equal(argmaxFirst([3]), 0);
  assert.equal(argmaxFirst([Number.NaN, -2]), 1);
  assert.throws(() => argmaxFirst([]));
});

test('acc and acc_norm on hand-computed loglikelihoods', () => {
  // item 1: raw argmax = 0 (−2 > −3); per char: −2/2 = −1, −3/6 = −0.5 → norm argmax = 1. gold 1.
  // item 2: raw argmax = 1; per char: −4/4 = −1, −1/1 = −1 → tie → 0 (first). gold 1.
  // item 3: raw and norm argmax = 2. gold 2.
  // item 4: tie in raw (−1, −1) → 0; norm: −1/1, −1/5 → 1. gold 0.
  const items = [
    { loglikelihoods: [-2, -3], lengths: [2, 6], gold: 1 },
    { loglikelihoods: [-4, -1], lengths: [4, 1], gold: 1 },
    { loglikelihoods: [-9, -8, -0.1], lengths: [3, 3, 3], gold: 2 },
    { loglikelihoods: [-1, -1], lengths: [1, 5], gold: 0 },
  ];
  assert.deepEqual(items.map(scoreItem), [
    { correct: false, correctNorm: true },
    { correct: true, correctNorm: false },
    { correct: true, correctNorm: true },
    { correct: true, correctNorm: false },
  ]);
  const m = aggregateMultipleChoice(items);
  assert.equal(m.n, 4);
  close(m.acc, 0.75);
  close(m.accNorm, 0.5);
  // harness mean_stderr: sqrt(p(1 − p) / (n − 1))
  close(m.accStderr, Math.sqrt((0.75 * 0.25) / 3));
  close(m.accNormStderr, Math.sqrt((0.5 * 0.5) / 3));
});

test('mean_stderr equals pstdev·sqrt(n/(n−1))/sqrt(n) and is NaN for one value', () => {
  const xs = [1, 0, 0, 1, 1, 1, 0];
  const n = xs.length;
  const mu = xs.reduce((a, b) => a + b) / n;
  const pstdev = Math.sqrt(xs.reduce((a, x) => a + (x - mu) ** 2, 0) / n);
  close(meanStderr(xs), (pstdev * Math.sqrt(n / (n - 1))) / Math.sqrt(n));
  close(meanStderr([0.2, 0.4]), 0.1); // sample sd = 0.1414…, / sqrt 2
  assert.ok(Number.isNaN(meanStderr([1])));
});

test('choice length: code points of the choice without the target delimiter', () => {
  assert.equal(choiceLength(' Paris'), 5);
  assert.equal(choiceLength('Paris'), 5);
  assert.equal(choiceLength(' café 😀'), 6);
  assert.equal(choiceLength(' '), 1);
  assert.equal(choiceLength('\nyes', '\n'), 3);
});

test('malformed items throw with a message', () => {
  assert.throws(() => aggregateMultipleChoice([]), /no items/);
  assert.throws(() => scoreItem({ loglikelihoods: [-1], lengths: [1], gold: 1 }), /out of range/);
  assert.throws(() => scoreItem({ loglikelihoods: [-1, -2], lengths: [1], gold: 0 }), /lengths/);
  assert.throws(() => scoreItem({ loglikelihoods: [-1], lengths: [0], gold: 0 }), /positive/);
});
