import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRate } from '../../engine/train/schedule.ts';

const o = { peakLr: 1e-3, warmupSteps: 10, minLrRatio: 0.1 };
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-15 + 1e-12 * Math.abs(b), `${a} ≈ ${b}`);

test('linear warm-up, then cosine decay to the floor', () => {
  // 111 steps: warm-up 0..9, decay over steps 10..110 with p = (step − 10) / 100
  close(learningRate(0, 111, o), 1e-4); // step 0: (0 + 1) / 10 of peak
  close(learningRate(4, 111, o), 5e-4);
  close(learningRate(9, 111, o), 1e-3); // end of warm-up
  close(learningRate(10, 111, o), 1e-3); // first decay step
  close(learningRate(60, 111, o), 1e-3 * (0.1 + 0.9 * 0.5)); // middle of the decay (cos π/2 = 0)
  close(learningRate(35, 111, o), 1e-3 * (0.1 + 0.9 * 0.5 * (1 + Math.SQRT1_2))); // a quarter in
  close(learningRate(110, 111, o), 1e-4); // last step: the floor
  close(learningRate(500, 111, o), 1e-4); // past the end: stays at the floor
  for (let s = 10; s < 110; s++) assert.ok(learningRate(s + 1, 111, o) < learningRate(s, 111, o));
});

test('edge cases: no warm-up, warm-up covering the run, one step', () => {
  close(learningRate(0, 5, { ...o, warmupSteps: 0 }), 1e-3);
  close(learningRate(4, 5, { ...o, warmupSteps: 0 }), 1e-4);
  close(learningRate(9, 10, o), 1e-3); // still warming up at the last step
  close(learningRate(0, 1, { ...o, warmupSteps: 0 }), 1e-4);
  close(learningRate(12, 20, { ...o, minLrRatio: 1 }), 1e-3);
});

test('warm restart (SGDR): two cycles, each from the peak to the floor', () => {
  // 30 steps, restart at 10, no warm-up: cycle 1 decays over steps 0–9, cycle 2 over steps 10–29
  const r = { ...o, warmupSteps: 0, restartStep: 10 };
  close(learningRate(0, 30, r), 1e-3);
  close(learningRate(9, 30, r), 1e-4); // end of the first cycle
  close(learningRate(10, 30, r), 1e-3); // restart: the peak again
  close(learningRate(20, 30, r), 1e-3 * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 10 / 19)))); // p = 10/19
  close(learningRate(29, 30, r), 1e-4); // last step: the floor
  // the run's warm-up applies to the first cycle only
  close(learningRate(0, 30, { ...r, warmupSteps: 4 }), 2.5e-4);
  close(learningRate(10, 30, { ...r, warmupSteps: 4 }), 1e-3);
  assert.throws(() => learningRate(0, 30, { ...r, restartStep: 30 }), /restartStep must be a whole number in \[1, 29\]/);
  assert.throws(() => learningRate(0, 30, { ...r, restartStep: 0 }), RangeError);
});

test('invalid arguments throw RangeError', () => {
  assert.throws(() => learningRate(-1, 10, o), RangeError);
  assert.throws(() => learningRate(1.5, 10, o), RangeError);
  assert.throws(() => learningRate(0, 0, o), RangeError);
  assert.throws(() => learningRate(0, 10, { ...o, peakLr: -1 }), RangeError);
  assert.throws(() => learningRate(0, 10, { ...o, warmupSteps: -2 }), RangeError);
  assert.throws(() => learningRate(0, 10, { ...o, minLrRatio: 1.5 }), RangeError);
});
