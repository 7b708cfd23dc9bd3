import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyRepetitionPenalty, argmax, candidateDistribution, createSampler,
} from '../../engine/model/sampling.ts';

test('argmax takes the first of tied maxima (numpy convention)', () => {
  assert.equal(argmax([1, 3, 3, 2]), 1);
});

test('repetition penalty divides positive and multiplies negative logits of seen tokens (CTRL)', () => {
  const logits = Float32Array.from([2, -2, 1]);
  applyRepetitionPenalty(logits, [0, 1, 1], 2);
  assert.deepEqual([...logits], [1, -4, 1]);
});

test('temperature, top-k and top-p give the hand-computed distribution', () => {
  const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
  const full = candidateDistribution(logits, 1);
  assert.deepEqual(full.ids, [0, 1, 2, 3]);
  full.probs.forEach((p, i) => assert.ok(Math.abs(p - [0.5, 0.3, 0.15, 0.05][i]!) < 1e-6));
  const k2 = candidateDistribution(logits, 1, 2);
  assert.deepEqual(k2.ids, [0, 1]);
  assert.ok(Math.abs(k2.probs[0]! - 0.5 / 0.8) < 1e-6);
  const p = candidateDistribution(logits, 1, 0, 0.8); // 0.5 + 0.3 reaches 0.8
  assert.deepEqual(p.ids, [0, 1]);
  const cold = candidateDistribution(logits, 0.5); // p^(1/T) renormalised
  const z = 0.25 + 0.09 + 0.0225 + 0.0025;
  assert.ok(Math.abs(cold.probs[0]! - 0.25 / z) < 1e-6);
});

test('a seeded sampler is repeatable and follows the distribution', () => {
  const logits = Float32Array.from([Math.log(0.7), Math.log(0.3)]);
  const draw = (seed: number) => {
    const s = createSampler({ temperature: 1, seed });
    return Array.from({ length: 2000 }, () => s.next(logits.slice(), []));
  };
  assert.deepEqual(draw(7), draw(7));
  const ones = draw(7).filter((x) => x === 1).length / 2000;
  assert.ok(Math.abs(ones - 0.3) < 0.04, `frequency of token 1: ${ones}`);
});

test('temperature 0 is greedy; bad settings are refused with the setting named', () => {
  assert.equal(createSampler().next(Float32Array.from([0, 5, 1]), []), 1);
  assert.throws(() => createSampler({ temperature: -1 }), /temperature/);
  assert.throws(() => createSampler({ topP: 2 }), /top-p/);
  assert.throws(() => createSampler({ topK: 1.5 }), /top-k/);
});

// Issue 11, defect 4: top-p is accepted in [0, 1] as in the OpenAI API and transformers (PR #19839): 0 keeps only
// the most likely token (greedy), 1 keeps every token, a value between keeps the smallest set with mass ≥ p.
test('top-p 0 is greedy, 1 keeps everything, between keeps the smallest set reaching p', () => {
  const logits = Float32Array.from([Math.log(0.2), Math.log(0.5), Math.log(0.3)]);
  assert.deepEqual(candidateDistribution(logits, 1, 0, 0).ids, [1]);
  assert.deepEqual(candidateDistribution(logits, 1, 0, 0).probs, [1]);
  assert.deepEqual(candidateDistribution(logits, 1, 0, 1).ids, [1, 2, 0]);
  assert.deepEqual(candidateDistribution(logits, 1, 0, 0.5).ids, [1]);
  assert.deepEqual(candidateDistribution(logits, 1, 0, 0.51).ids, [1, 2]);
  for (const seed of [0, 1, 2, 3]) {
    const s = createSampler({ temperature: 1, topP: 0, seed });
    assert.deepEqual(Array.from({ length: 20 }, () => s.next(logits.slice(), [])), new Array(20).fill(1));
  }
  assert.throws(() => createSampler({ topP: -0.1 }), /top-p must be in \[0, 1\], got -0.1/);
  assert.throws(() => createSampler({ topP: 1.5 }), /top-p must be in \[0, 1\]/);
});
