// The Evaluate page's verdicts (issue 18): better / within noise / worse than the base model, two standard errors
// of the difference; rows with base models first; and the engine's chance level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrixShape, verdictOf, type EvalCell } from '../../renderer/src/lib/eval-matrix.ts';
import { chanceAccuracy } from '../../engine/eval/chance.ts';

function cell(checkpointId: number | null, datasetId: number, value: number, stderr: number | null): EvalCell {
  return {
    modelId: 1, checkpointId, datasetId, split: 'test', modelLabel: checkpointId === null ? 'base' : `checkpoint ${checkpointId}`,
    datasetName: `d${datasetId}`, taskType: 'mcq', chance: 0.25,
    result: { metric: 'acc', value, stderr, recordCount: 100, truncated: 0, metrics: {}, backend: 'wasm', seconds: 1 },
  };
}

test('a checkpoint is better or worse only beyond two standard errors of the difference', () => {
  const base = cell(null, 1, 0.5, 0.05); // noise = 2·sqrt(0.05² + 0.05²) = 0.1414
  assert.equal(verdictOf(cell(2, 1, 0.65, 0.05), base), 'better');
  assert.equal(verdictOf(cell(2, 1, 0.64, 0.05), base), 'within noise');
  assert.equal(verdictOf(cell(2, 1, 0.36, 0.05), base), 'within noise');
  assert.equal(verdictOf(cell(2, 1, 0.35, 0.05), base), 'worse');
  assert.equal(verdictOf(base, base), 'base model');
  assert.equal(verdictOf(cell(2, 1, 0.4, 0.05), undefined), 'no base');
  assert.equal(verdictOf({ ...cell(2, 1, 0, 0), result: null }, base), undefined, 'not measured yet');
});

test('rows put base models first; columns keep the order datasets were asked in', () => {
  const shape = matrixShape([cell(3, 2, 0.1, 0.01), cell(null, 2, 0.1, 0.01), cell(3, 1, 0.1, 0.01)]);
  assert.deepEqual(shape.rows.map((r) => r.label), ['base', 'checkpoint 3']);
  assert.deepEqual(shape.cols.map((c) => c.datasetId), [2, 1]);
});

test('chance accuracy is the mean of 1 / choices', () => {
  assert.equal(chanceAccuracy([4, 4, 2]), (0.25 + 0.25 + 0.5) / 3);
  assert.equal(chanceAccuracy([]), null);
  assert.throws(() => chanceAccuracy([4, 0]), /item 1 has 0 choices/);
});
