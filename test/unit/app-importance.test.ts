// The run page's dropped set comes from the latest keep mask; which sub-layer a scan drops is the engine's
// choice (chooseDrop), stored with the scan and shown as is (the UI once ranked scans itself and disagreed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { droppedSubLayers } from '../../renderer/src/lib/importance.ts';
import { subLayerAt } from '../../renderer/src/lib/sublayers.ts';
import { closeDatabase, createRun, importDataset, insertModel, listImportanceScans, openDatabase, recordImportanceScan } from '../../electron/store/index.ts';
import { chooseDrop, IMPORTANCE_EPSILON, type SubLayerScore } from '../../engine/trim/importance.ts';

test('the dropped set is the latest keep mask\'s', () => {
  // Checkpoints: mlp1 dropped at step 10, then attn1 at step 20 (keep mask index 2l = attn l, 2l+1 = mlp l).
  const dropped = droppedSubLayers([
    { step: 20, keepMask: [true, true, false, false] },
    { step: 10, keepMask: [true, true, true, false] },
  ], subLayerAt);
  assert.deepEqual([...dropped].sort(), ['attn1', 'mlp1']);
  assert.equal(droppedSubLayers([], subLayerAt).size, 0);
});

test('a stored scan carries the engine\'s choice, including the engine\'s tie-break (MLP wins an exact attn/MLP tie)', () => {
  const score = (subLayer: SubLayerScore['subLayer'], index: number, p: number, norm: number): SubLayerScore =>
    ({ subLayer, index, calibrationPerformance: p, importance: 1 / (p + IMPORTANCE_EPSILON), activationNorm: norm });
  const scores = [score('attn0', 0, 0.5, 9), score('mlp1', 3, 0.5, 1), score('mlp0', 1, 0.25, 3)];
  const chosen = chooseDrop(scores, 'both').subLayer;
  assert.equal(chosen, 'mlp1');
  const db = openDatabase(':memory:');
  try {
    const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: { nLayers: 2 } });
    const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, [{ split: 'train', payload: {} }]);
    const runId = createRun(db, { modelId, datasetId, config: {}, seed: 0 });
    recordImportanceScan(db, runId, 4, scores.map((s) => ({ ...s, chosen: s.subLayer === chosen })));
    const [scan] = listImportanceScans(db, runId);
    assert.deepEqual(scan!.scores.filter((s) => s.chosen).map((s) => s.subLayer), ['mlp1']);
  } finally {
    closeDatabase(db);
  }
});
