// Live progress of a run trained by another process (the CLI): the server's ExternalRunWatcher reads its rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, type EventName } from '../../electron/api/contract.ts';
import { RunSettingsSchema } from '../../electron/api/run-settings.ts';
import { appendRunEvents, createRun, importDataset, insertModel, openDatabase, setRunStatus } from '../../electron/store/index.ts';
import { ExternalRunWatcher } from '../../electron/jobs/run-progress.ts';
import { toRunConfig } from '../../electron/app/run-config.ts';

test('a running run that is not this process\'s job gets job.progress from its latest step, then job.finished', () => {
  const db = openDatabase(':memory:');
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: { nLayers: 1 } });
  const records = Array.from({ length: 12 }, (_, i) => ({ split: 'train' as const, payload: { i } }));
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, records);
  const config = toRunConfig(RunSettingsSchema.parse({ target: 0.5, maxEpochs: 3, batchSize: 4, maxTrain: 100 }), null);
  const cli = createRun(db, { modelId, datasetId, config, seed: 0 });
  const own = createRun(db, { modelId, datasetId, config, seed: 0 });
  setRunStatus(db, cli, 'running');
  setRunStatus(db, own, 'running');
  appendRunEvents(db, cli, [{ step: 1, epoch: 1, loss: 3 }, { step: 2, epoch: 1, loss: 2.5 }]);
  appendRunEvents(db, own, [{ step: 1, epoch: 1, loss: 9 }]);

  const got: { event: EventName; payload: Record<string, unknown> }[] = [];
  const watcher = new ExternalRunWatcher(db, (event, payload) => {
    EVENTS[event].parse(payload);
    got.push({ event, payload: payload as Record<string, unknown> });
  }, (runId) => runId === own);
  watcher.poll();
  assert.deepEqual(watcher.runIds, [cli], 'the own job is left to the runner');
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], {
    event: 'job.progress', payload: { jobId: `run-${cli}`, runId: cli, phase: 'train', epoch: 1, done: 2, total: 6, loss: 2.5, etaSeconds: null },
  }, 'the latest step already stored is reported at once');

  watcher.poll();
  assert.equal(got.length, 1, 'nothing new, nothing emitted');
  appendRunEvents(db, cli, [{ step: 3, epoch: 1, loss: 2 }]);
  watcher.poll();
  assert.equal(got.at(-1)!.payload.done, 3);

  setRunStatus(db, cli, 'interrupted', { error: 'stopped by the user' });
  watcher.poll();
  assert.deepEqual(got.at(-1), { event: 'job.finished', payload: { jobId: `run-${cli}`, runId: cli, status: 'interrupted' } });
  assert.deepEqual(watcher.runIds, []);
  watcher.poll();
  assert.equal(got.length, 3);
});
