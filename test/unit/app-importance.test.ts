// The importance heatmap's "next to drop": only a kept sub-layer (tester saw dropped mlp3/attn2 outlined).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { droppedSubLayers, leastImportant } from '../../renderer/src/lib/importance.ts';
import { subLayerAt } from '../../renderer/src/lib/sublayers.ts';

const score = (subLayer: string, importance: number, activationNorm = 1) => ({ subLayer, calibrationPerformance: 1 / importance, importance, activationNorm });

test('a dropped sub-layer is never next to drop, even when the scan ranks it least important', () => {
  const scores = [score('attn0', 5), score('mlp0', 4), score('attn1', 1.5), score('mlp1', 1.2)];
  assert.equal(leastImportant(scores)?.subLayer, 'mlp1');
  // Checkpoints: mlp1 dropped at step 10, then attn1 at step 20 (keep mask index 2l = attn l, 2l+1 = mlp l).
  const dropped = droppedSubLayers([
    { step: 20, keepMask: [true, true, false, false] },
    { step: 10, keepMask: [true, true, true, false] },
  ], subLayerAt);
  assert.deepEqual([...dropped].sort(), ['attn1', 'mlp1']);
  assert.equal(leastImportant(scores, dropped)?.subLayer, 'mlp0');
  assert.equal(leastImportant([score('mlp1', 1)], dropped), null, 'nothing kept was scored');
  assert.equal(droppedSubLayers([], subLayerAt).size, 0);
});

test('ties on importance go to the higher activation norm', () => {
  assert.equal(leastImportant([score('attn0', 2, 1), score('mlp0', 2, 3)])?.subLayer, 'mlp0');
});
