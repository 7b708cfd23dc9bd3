// Live events of a trim run derived from its SQLite rows: the run-length estimate, and the poller that turns new
// steps, scans and checkpoints into job.progress / run.scan / run.checkpoint (never replaying older rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, type EventName } from '../../electron/api/contract.ts';
import {
  appendRunEvents, closeDatabase, createRun, importDataset, insertModel, openDatabase, recordImportanceScan, saveCheckpoint, type Database,
} from '../../electron/store/index.ts';
import { estimateForRun, estimateRunLength, RunProgressPoller } from '../../electron/jobs/run-progress.ts';
import { toRunConfig } from '../../electron/app/run-config.ts';
import { RunSettingsSchema } from '../../electron/api/run-settings.ts';

test('run length: drop epochs to the kept-fraction target (or max epochs), then as many healing epochs', () => {
  const base = { subLayers: 10, maxEpochs: 20, dropsPerEpoch: 1, trainExamples: 16, examplesPerStep: 8 };
  assert.deepEqual(estimateRunLength({ ...base, keptFraction: 0.8, maxEpochs: 2 }), { epochs: 4, stepsPerEpoch: 2, steps: 8 });
  assert.equal(estimateRunLength({ ...base, keptFraction: 0.5 }).epochs, 10);
  assert.equal(estimateRunLength({ ...base, keptFraction: 0.5, maxEpochs: 3 }).epochs, 6);
  assert.equal(estimateRunLength({ ...base, keptFraction: 0.5, dropsPerEpoch: 2 }).epochs, 6, '3 drop epochs (5 drops), ceil(5/2) healing');
  assert.equal(estimateRunLength({ ...base, keptFraction: 0.5, healEpochs: 0 }).epochs, 5);
  assert.equal(estimateRunLength({ ...base, keptFraction: 0.01 }).epochs, 18, 'at most 2L-1 drops');
  assert.equal(estimateRunLength({ ...base, trainExamples: 17 }).stepsPerEpoch, 3);
});

function seed(db: Database) {
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: { nLayers: 1 } });
  const records = Array.from({ length: 12 }, (_, i) => ({ split: 'train' as const, payload: { i } }));
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, records);
  const settings = RunSettingsSchema.parse({ target: 0.5, maxEpochs: 3, batchSize: 4, maxTrain: 100 });
  const runId = createRun(db, { modelId, datasetId, config: toRunConfig(settings, null), seed: 0 });
  return runId;
}

const scores = (n: number) => [
  { subLayer: 'attn0' as const, calibrationPerformance: 0.5 + n / 10, importance: 2, activationNorm: 3 },
  { subLayer: 'mlp0' as const, calibrationPerformance: null, importance: null, activationNorm: null },
];

function checkpoint(db: Database, runId: number, step: number, label: string, performance: number | null) {
  return saveCheckpoint(db, {
    runId, step, epoch: step, label, keepMask: [true, false], trainableMask: [true, true], paramBytes: 100, tensors: [],
    metrics: { entry: performance === null ? null : { performance } },
  });
}

test('the poller emits new steps, scans and checkpoints as contract events, never older rows', () => {
  const db = openDatabase(':memory:');
  const runId = seed(db);
  const estimate = estimateForRun(db, runId);
  assert.deepEqual(estimate, { epochs: 2, stepsPerEpoch: 3, steps: 6 }, '2 sub-layers, target 0.5: 1 drop + 1 healing; 12 records / 4');

  // Rows from before (a resumed run's earlier epochs) are not replayed.
  appendRunEvents(db, runId, [{ step: 1, epoch: 1, loss: 3 }]);
  recordImportanceScan(db, runId, 0, scores(0));
  const old = checkpoint(db, runId, 1, 'drop 1: -mlp0', 0.25);

  const got: { event: EventName; payload: Record<string, unknown> }[] = [];
  let clock = 1000;
  const poller = new RunProgressPoller(db, runId, 'job-1', (event, payload) => {
    EVENTS[event].parse(payload);
    got.push({ event, payload: payload as Record<string, unknown> });
  }, estimate, () => clock);
  poller.poll();
  assert.equal(got.length, 0);

  appendRunEvents(db, runId, [{ step: 2, epoch: 2, loss: 2.5 }, { step: 3, epoch: 2, loss: 2 }]);
  poller.poll();
  assert.equal(got.length, 1, 'one progress event per poll: the latest step');
  assert.deepEqual(got[0], {
    event: 'job.progress', payload: { jobId: 'job-1', runId, phase: 'train', epoch: 2, done: 3, total: 6, loss: 2, etaSeconds: null },
  });

  clock += 2000;
  appendRunEvents(db, runId, [{ step: 4, epoch: 2, loss: 1.5 }, { step: 5, epoch: 3, loss: 1 }]);
  recordImportanceScan(db, runId, 4, scores(1)); // the scan after step 4, the last of epoch 2
  const fresh = checkpoint(db, runId, 4, 'heal 1', null);
  poller.poll();
  assert.deepEqual(got.slice(1).map((e) => e.event), ['run.scan', 'job.progress', 'run.checkpoint']);
  const [scan, progress, cp] = got.slice(1).map((e) => e.payload);
  assert.equal(scan!.epoch, 2, 'the epoch of the step the scan follows');
  assert.deepEqual(scan!.scores, [
    { subLayer: 'attn0', calibrationPerformance: 0.6, importance: 2, activationNorm: 3 },
    { subLayer: 'mlp0', calibrationPerformance: 0, importance: 0, activationNorm: 0 },
  ]);
  // Epoch 2 (3 steps) is complete once epoch 3 began: 2 epochs of 3 steps; 2 steps in 2 s → 1 step/s.
  assert.equal(progress!.done, 5);
  assert.equal(progress!.total, 6);
  assert.equal(progress!.etaSeconds, 1);
  assert.deepEqual(cp, { runId, checkpointId: fresh, label: 'heal 1', keepMask: [true, false], performance: null });
  assert.notEqual(fresh, old);

  poller.poll();
  assert.equal(got.length, 4, 'nothing new, nothing emitted');
  closeDatabase(db);
});

test('the estimate of a missing run is a harmless placeholder', () => {
  const db = openDatabase(':memory:');
  assert.deepEqual(estimateForRun(db, 7), { epochs: 1, stepsPerEpoch: 1, steps: 1 });
  closeDatabase(db);
});
