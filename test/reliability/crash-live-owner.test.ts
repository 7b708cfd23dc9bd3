/**
 * Regression test: opening the workspace (any CLI command) while another process runs a trim used to mark that
 * live run 'interrupted', after which the run could not complete ("cannot go from interrupted to completed").
 * markInterruptedRuns now leaves a run alone while the process that claimed it (claimRun) lives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  claimRun, closeDatabase, createRun, getRun, importDataset, insertModel, markInterruptedRuns, openDatabase, setRunStatus,
} from '../../electron/store/index.ts';

test('markInterruptedRuns marks runs whose process is gone and leaves a live one running', () => {
  const db = openDatabase(':memory:');
  try {
    const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: {} });
    const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'text', mapping: {} }, []);
    const [live, dead, unowned] = [1, 2, 3].map((seed) => createRun(db, { modelId, datasetId, config: {}, seed }));
    for (const id of [live!, dead!, unowned!]) setRunStatus(db, id, 'running');
    claimRun(db, live!, 4242);
    claimRun(db, dead!, 4343);
    assert.deepEqual(markInterruptedRuns(db, (pid) => pid === 4242), [dead, unowned]);
    assert.deepEqual([live!, dead!, unowned!].map((id) => getRun(db, id)!.status), ['running', 'interrupted', 'interrupted']);
    // The default liveness check: this process lives.
    claimRun(db, live!);
    claimRun(db, unowned!);
    setRunStatus(db, unowned!, 'running');
    assert.deepEqual(markInterruptedRuns(db), []);
    assert.equal(getRun(db, unowned!)!.status, 'running');
    // Its process gone, the run is marked.
    assert.deepEqual(markInterruptedRuns(db, () => false), [live, unowned]);
  } finally {
    closeDatabase(db);
  }
});
