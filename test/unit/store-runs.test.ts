// Runs: life cycle and its guarded transitions, start-up recovery, progress events and importance scans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeDatabase, openDatabase } from '../../electron/store/db.ts';
import type { Database } from '../../electron/store/driver.ts';
import { insertModel } from '../../electron/store/models.ts';
import { importDataset } from '../../electron/store/datasets.ts';
import { createRun, deleteRun, getRun, listRuns, markInterruptedRuns, setRunStatus } from '../../electron/store/runs.ts';
import { addRunActiveSeconds, getRunTiming, setRunPrediction } from '../../electron/store/run-timing.ts';
import {
  appendRunEvents,
  listImportanceScans,
  listRunEvents,
  recordImportanceScan,
} from '../../electron/store/run-metrics.ts';

function seed(db: Database): { modelId: number; datasetId: number } {
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: {} });
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, []);
  return { modelId, datasetId };
}

function count(db: Database, table: string): number {
  return db.prepare<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;
}

test('a run goes queued → running → completed with timestamps, backend and config', () => {
  const db = openDatabase(':memory:');
  const { modelId, datasetId } = seed(db);
  const id = createRun(db, { name: 'trim smol', modelId, datasetId, config: { ratio: 0.25, drop: 1 }, seed: 42 });
  let run = getRun(db, id)!;
  assert.equal(run.status, 'queued');
  assert.deepEqual(run.config, { ratio: 0.25, drop: 1 });
  assert.equal(run.seed, 42);
  assert.equal(run.startedAt, null);

  setRunStatus(db, id, 'running', { backend: 'wasm' });
  run = getRun(db, id)!;
  assert.equal(run.status, 'running');
  assert.equal(run.backend, 'wasm');
  assert.ok(run.startedAt! >= run.createdAt);
  assert.equal(run.finishedAt, null);

  setRunStatus(db, id, 'completed');
  run = getRun(db, id)!;
  assert.equal(run.status, 'completed');
  assert.equal(run.backend, 'wasm');
  assert.ok(run.finishedAt! >= run.startedAt!);
  assert.throws(() => setRunStatus(db, id, 'running'), /run 1 cannot go from completed to running: it has ended; only an interrupted run can be resumed/);
  assert.throws(() => setRunStatus(db, 99, 'running'), /run 99 does not exist/);
  closeDatabase(db);
});

test('failure keeps its error; resuming an interrupted run clears it', () => {
  const db = openDatabase(':memory:');
  const { modelId, datasetId } = seed(db);
  const a = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  assert.throws(() => setRunStatus(db, a, 'completed'), /cannot go from queued to completed/);
  setRunStatus(db, a, 'running');
  setRunStatus(db, a, 'failed', { error: 'out of memory' });
  assert.equal(getRun(db, a)!.error, 'out of memory');

  const b = createRun(db, { modelId, datasetId, config: {}, seed: 2 });
  setRunStatus(db, b, 'running');
  setRunStatus(db, b, 'interrupted', { error: 'process exited' });
  setRunStatus(db, b, 'running');
  assert.equal(getRun(db, b)!.error, null);
  assert.deepEqual(listRuns(db, { status: 'failed' }).map((r) => r.id), [a]);
  assert.deepEqual(listRuns(db).map((r) => r.id), [b, a]);
  assert.deepEqual(listRuns(db, { modelId, status: 'running' }).map((r) => r.id), [b]);
  assert.deepEqual(listRuns(db, { datasetId: datasetId + 1 }), []);
  closeDatabase(db);
});

test('markInterruptedRuns turns every running run into interrupted and nothing else', () => {
  const db = openDatabase(':memory:');
  const { modelId, datasetId } = seed(db);
  const ids = [1, 2, 3, 4].map((s) => createRun(db, { modelId, datasetId, config: {}, seed: s }));
  setRunStatus(db, ids[0]!, 'running');
  setRunStatus(db, ids[2]!, 'running');
  setRunStatus(db, ids[3]!, 'running');
  setRunStatus(db, ids[3]!, 'completed');

  assert.deepEqual(markInterruptedRuns(db), [ids[0], ids[2]]);
  assert.deepEqual(
    ids.map((id) => getRun(db, id)!.status),
    ['interrupted', 'queued', 'interrupted', 'completed'],
  );
  assert.deepEqual(markInterruptedRuns(db), []);
  closeDatabase(db);
});

test('progress events append in one transaction and list by step, incrementally', () => {
  const db = openDatabase(':memory:');
  const { modelId, datasetId } = seed(db);
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  const first = appendRunEvents(db, runId, [
    { step: 1, epoch: 0, loss: 2.5, lr: 1e-3, tokensPerSecond: 812.5 },
    { step: 0, epoch: 0, loss: 3, lr: 1e-3 },
  ]);
  assert.equal(first.length, 2);
  const all = listRunEvents(db, runId);
  assert.deepEqual(all.map((e) => e.step), [0, 1]);
  assert.equal(all[1]!.tokensPerSecond, 812.5);
  assert.equal(all[0]!.performance, null);

  const [later] = appendRunEvents(db, runId, [{ step: 2, epoch: 1, performance: 0.42, loss: Number.NaN }]);
  const fresh = listRunEvents(db, runId, { afterId: Math.max(...first) });
  assert.deepEqual(fresh.map((e) => e.id), [later]);
  assert.equal(fresh[0]!.performance, 0.42);
  assert.equal(fresh[0]!.loss, null); // SQLite has no NaN

  // a bad event in a batch writes none of the batch
  assert.throws(() => appendRunEvents(db, runId, [{ step: 3, epoch: 1 }, { step: -1, epoch: 1 }]), /CHECK/);
  assert.throws(() => appendRunEvents(db, 999, [{ step: 0, epoch: 0 }]), /FOREIGN KEY/);
  assert.equal(listRunEvents(db, runId).length, 3);
  closeDatabase(db);
});

test('importance scans record in one transaction, numbered in order, read back in sub-layer order', () => {
  const db = openDatabase(':memory:');
  const { modelId, datasetId } = seed(db);
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  const score = (subLayer: `attn${number}` | `mlp${number}`, p: number) => ({
    subLayer, calibrationPerformance: p, importance: 1 / (p + 1e-6), activationNorm: 10 * p,
  });
  const s0 = recordImportanceScan(db, runId, 0, [score('mlp1', 0.3), score('attn0', 0.1), score('attn1', 0.2), score('mlp0', 0.4)]);
  const s1 = recordImportanceScan(db, runId, 40, [score('attn0', 0.15), score('mlp1', 0.35)]);
  assert.deepEqual([s0, s1], [0, 1]);

  const scans = listImportanceScans(db, runId);
  assert.deepEqual(scans.map((s) => [s.scan, s.step]), [[0, 0], [1, 40]]);
  assert.deepEqual(scans[0]!.scores.map((s) => s.subLayer), ['attn0', 'mlp0', 'attn1', 'mlp1']);
  assert.equal(scans[0]!.scores[0]!.calibrationPerformance, 0.1);
  assert.equal(scans[0]!.scores[0]!.importance, 1 / (0.1 + 1e-6));

  // a scan that fails half-way (repeated scan number hits the primary key) leaves nothing of itself
  assert.throws(() => recordImportanceScan(db, runId, 80, [score('attn0', 0.1), score('mlp1', 0.1)], 1), /UNIQUE|PRIMARY KEY/);
  assert.throws(() => recordImportanceScan(db, runId, 80, [score('attn0', 0.1), score('attn0', 0.2)]), /scored twice/);
  assert.equal(count(db, 'importance_scores'), 6);
  closeDatabase(db);
});

test('a running run cannot be deleted; a finished one can', () => {
  const db = openDatabase(':memory:');
  const { modelId, datasetId } = seed(db);
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  setRunStatus(db, runId, 'running');
  assert.throws(() => deleteRun(db, runId), /is running; cancel it before deleting it/);
  setRunStatus(db, runId, 'cancelled');
  assert.ok(getRun(db, runId)!.finishedAt !== null);
  assert.equal(deleteRun(db, runId), true);
  assert.equal(getRun(db, runId), undefined);
  closeDatabase(db);
});

test('a run\'s prediction is stored once (a resume keeps it); the time of its executions adds up', () => {
  const db = openDatabase(':memory:');
  const { modelId, datasetId } = seed(db);
  const id = createRun(db, { modelId, datasetId, config: {}, seed: 0 });
  assert.deepEqual(getRunTiming(db, id), { predicted: null, activeSeconds: 0 });
  assert.equal(setRunPrediction(db, id, { seconds: 120, uncertainty: 12 }), true);
  assert.equal(setRunPrediction(db, id, { seconds: 999, uncertainty: 1 }), false, 'a resumed run keeps its first prediction');
  addRunActiveSeconds(db, id, 100);
  addRunActiveSeconds(db, id, 50);
  assert.deepEqual(getRunTiming(db, id), { predicted: { seconds: 120, uncertainty: 12 }, activeSeconds: 150 });
  assert.throws(() => setRunPrediction(db, id, { seconds: NaN, uncertainty: 1 }), RangeError);
  assert.throws(() => addRunActiveSeconds(db, id, -1), RangeError);
  assert.throws(() => addRunActiveSeconds(db, id + 1, 1), new RegExp(`run ${id + 1} does not exist`));
  assert.throws(() => setRunPrediction(db, id + 1, { seconds: 1, uncertainty: 1 }), /does not exist/);
  assert.throws(() => getRunTiming(db, id + 1), /does not exist/);
  closeDatabase(db);
});
