// Use cases of electron/app shared by the CLI and the server: start/cancel a run, delete with its report, vacuum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../electron/store/db.ts';
import { insertModel } from '../../electron/store/models.ts';
import { importDataset } from '../../electron/store/datasets.ts';
import { createRun, getRun, listRuns } from '../../electron/store/runs.ts';
import { cancelRun, resumeRun, startRun, type TrimJobs } from '../../electron/app/run-jobs.ts';
import { deleteDatasetWithRuns, deleteRunWithReport } from '../../electron/app/delete-records.ts';
import { vacuumWorkspace } from '../../electron/app/maintenance.ts';

function workspace() {
  const db = openDatabase(':memory:');
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m', format: 'llama2c', config: {} });
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, []);
  return { db, modelId, datasetId };
}

/** Jobs that record what they are asked; `busy` is the run a job is trimming. */
function fakeJobs(busy: number | null = null) {
  const started: [number, string][] = [];
  const jobs: TrimJobs = {
    activeTrim: () => (busy === null ? null : { jobId: 'j0', runId: busy }),
    startTrim: (runId, kind) => {
      started.push([runId, kind]);
      return `j${runId}`;
    },
    cancelRun: (runId) => runId === busy,
  };
  return { jobs, started };
}

test('startRun records a queued run with its report under <dataDir>/reports and starts its job; refuses while another trims', () => {
  const { db, modelId, datasetId } = workspace();
  const { jobs, started } = fakeJobs();
  const { runId, jobId } = startRun(db, '/data', jobs, { modelId, datasetId, settings: {} });
  assert.equal(jobId, `j${runId}`);
  assert.deepEqual(started, [[runId, 'trim']]);
  const run = getRun(db, runId)!;
  assert.equal(run.status, 'queued');
  assert.match(String((run.config as { reportDir: string }).reportDir), /^\/data\/reports\/run-\d{4}-\d\d-\d\d-/);
  assert.throws(() => startRun(db, '/data', fakeJobs(runId).jobs, { modelId, datasetId, settings: {} }), { name: 'ConflictError', message: new RegExp(`run ${runId} is being trimmed`) });
  assert.throws(() => startRun(db, '/data', jobs, { modelId: 99, datasetId, settings: {} }), { name: 'NotFoundError', message: 'no model 99 in the workspace' });
  assert.equal(listRuns(db).length, 1, 'a refused start records no run');
});

test('cancelRun cancels a queued run without a job; resumeRun takes only an interrupted run', () => {
  const { db, modelId, datasetId } = workspace();
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  const { jobs, started } = fakeJobs();
  assert.throws(() => resumeRun(db, jobs, runId), { name: 'ConflictError', message: `run ${runId} is queued; only an interrupted run can be resumed` });
  assert.equal(cancelRun(db, jobs, runId), true);
  assert.equal(getRun(db, runId)!.status, 'cancelled');
  assert.equal(cancelRun(db, jobs, runId), false, 'a cancelled run has nothing to cancel');
  assert.throws(() => cancelRun(db, jobs, 42), { name: 'NotFoundError' });
  assert.equal(started.length, 0);
});

test('deleting a run removes the report folder the app made, not one the user chose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-app-'));
  try {
    const { db, modelId, datasetId } = workspace();
    const appReport = join(dir, 'reports', 'run-1');
    const userReport = join(dir, 'my-report');
    for (const d of [appReport, userReport]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'report.md'), '# r');
    }
    const a = createRun(db, { modelId, datasetId, config: { reportDir: appReport }, seed: 1 });
    const b = createRun(db, { modelId, datasetId, config: { reportDir: userReport }, seed: 1 });
    assert.equal(deleteRunWithReport(db, dir, a), true);
    assert.equal(deleteRunWithReport(db, dir, b), true);
    assert.equal(deleteRunWithReport(db, dir, a), false, 'already deleted');
    assert.equal(existsSync(appReport), false);
    assert.equal(existsSync(join(userReport, 'report.md')), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dataset used by runs is deleted only with them; vacuum waits for a running trim', async () => {
  const { db, modelId, datasetId } = workspace();
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  const deleted: number[] = [];
  await assert.rejects(deleteDatasetWithRuns(db, datasetId, false, (id) => deleted.push(id)), { name: 'ConflictError', message: /used to train one run; delete it too/ });
  assert.equal(deleted.length, 0);
  assert.equal(await deleteDatasetWithRuns(db, datasetId, true, (id) => deleteRunWithReport(db, '/data', id) && deleted.push(id)), true);
  assert.deepEqual(deleted, [runId]);
  assert.throws(() => vacuumWorkspace(db, 7), { name: 'ConflictError', message: /run 7 is being trimmed/ });
});
