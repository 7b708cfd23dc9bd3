// Human metric names and frontier point labels/positions (tester: raw `next_token_acc`, heal points piled up).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dodgeX, metricLabel, pointLabel } from '../../renderer/src/lib/metrics.ts';

test('metric ids get human names from one mapping', () => {
  assert.equal(metricLabel('next_token_acc'), 'next-token accuracy');
  assert.equal(metricLabel('acc'), 'acc');
  assert.equal(metricLabel('acc_norm'), 'acc_norm');
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
