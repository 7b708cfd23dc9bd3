// Human metric names and frontier point labels/positions (tester: raw `next_token_acc`, heal points piled up).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atChance, dodgeX, metricLabel, pointLabel, recommendedEntry, standardError } from '../../renderer/src/lib/metrics.ts';

test('metric ids get human names from one mapping', () => {
  assert.equal(metricLabel('next_token_acc'), 'next-word accuracy');
  assert.equal(metricLabel('acc'), 'correct answers');
  assert.equal(metricLabel('acc_norm'), 'correct answers (length-fair)');
  assert.equal(metricLabel('perplexity'), 'perplexity');
  assert.equal(metricLabel('exact_match'), 'exact match', 'unknown ids are readable too');
});

test('frontier points are labelled by checkpoint; points sharing a kept fraction are spread to the right', () => {
  assert.equal(pointLabel({ name: 'trimllm drop 1: -attn2 (9/10)', kind: 'trimllm' }), 'drop 1: -attn2');
  assert.equal(pointLabel({ name: 'trimllm heal 3 (7/10)', kind: 'trimllm' }), 'heal 3');
  assert.equal(pointLabel({ name: 'base', kind: 'base' }), 'Base model');
  const xs = dodgeX([0.9, 0.8, 0.7, 0.7, 0.7, 0.7], 0.01);
  assert.deepEqual(xs.map((x) => Math.round(x * 1000) / 1000), [0.9, 0.8, 0.7, 0.71, 0.72, 0.73]);
});

test('standard error, chance and the recommended checkpoint (smallest within 2 SE of the best fine-tune)', () => {
  const e = (kind: string, performance: number, paramBytes: number, n = 100) =>
    ({ name: `${kind} ${paramBytes}`, kind, kept: [], keptFraction: 1, metric: 'acc', performance, paramBytes, decodeTokensPerSecond: 1, n, chance: 0.25 });
  assert.equal(standardError({ performance: 0.5, n: 100 }), 0.05);
  assert.equal(standardError({ performance: 0.5 }), null);
  const full = e('full-finetune', 0.6, 100);
  const a = e('trimllm', 0.58, 80); // 0.02 below: within 2·√(SE²+SE²) ≈ 0.138
  const b = e('trimllm', 0.45, 60); // 0.15 below: outside
  const c = e('trimllm', 0.59, 90);
  assert.equal(recommendedEntry([full, a, b, c]), a);
  assert.equal(recommendedEntry([full]), null);
  const only = e('trimllm', 0.3, 10);
  assert.equal(recommendedEntry([e('base', 0.9, 100), only]), only, 'the base model is no fine-tune: the best fine-tune is the checkpoint itself');
  assert.equal(atChance({ performance: 0.3, n: 48, chance: 0.25 }), true, '0.30 ± 0.066 on 48 questions is guessing');
  assert.equal(atChance({ performance: 0.6, n: 48, chance: 0.25 }), false);
  assert.equal(atChance({ performance: 0.1 }), false, 'no chance level: never flagged');
});
