import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../helpers/cli.ts';
import { repoPath, sharedPath, STORIES_BIN, TEST_DB_KEY, TEST_KEY_ENV } from '../helpers/shared.ts';
import {
  openDatabase, closeDatabase, checkIntegrity, claimRun, createRun, getRunTiming, listCheckpoints, listRuns, listRunEvents, setRunStatus, type Database,
} from '../../electron/store/index.ts';

const TRIM_ARGS = ['trim', '--model', STORIES_BIN, '--data', sharedPath('datasets/grimm_fairy_tales'), '--target', '0.7',
  '--heal-epochs', '1', '--baselines', 'none', '--max-train', '24', '--max-eval', '6', '--calibration', '4', '--window', '48',
  '--batch', '4', '--seed', '7'];

function finalState(db: Database) {
  const cps = listCheckpoints(db, 1);
  return { keep: cps.at(-1)!.keepMask, labels: cps.map((c) => c.label) };
}

test('kill -9 during an epoch, then resume: same final keep mask as an uninterrupted run; database intact', async () => {
  const straight = mkdtempSync(join(tmpdir(), 'trimllm-straight-'));
  const r = runCli([...TRIM_ARGS, '--data-dir', straight]);
  assert.equal(r.status, 0, r.stderr);
  const db1 = openDatabase(join(straight, 'trimllm.db'), { key: TEST_DB_KEY });
  const expected = finalState(db1);
  closeDatabase(db1);

  const killed = mkdtempSync(join(tmpdir(), 'trimllm-killed-'));
  const child = spawn(process.execPath, [repoPath('bin/trimllm.mjs'), ...TRIM_ARGS, '--data-dir', killed], { stdio: 'ignore', env: { ...process.env, ...TEST_KEY_ENV } });
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
  const dbPath = join(killed, 'trimllm.db');
  let killedAt = -1;
  for (let i = 0; i < 1200 && killedAt < 0; i++) {
    await sleep(100);
    try {
      const db = openDatabase(dbPath, { key: TEST_DB_KEY });
      try {
        const cps = listRuns(db).length > 0 ? listCheckpoints(db, 1) : [];
        const events = listRuns(db).length > 0 ? listRunEvents(db, 1) : [];
        // mid-epoch: one checkpoint saved, and training of the next epoch under way
        if (cps.length >= 1 && events.some((e) => e.step > cps.at(-1)!.step)) {
          child.kill('SIGKILL');
          killedAt = cps.length;
        }
      } finally {
        closeDatabase(db);
      }
    } catch {
      // the database is not created yet
    }
  }
  assert.equal(await exited, 'SIGKILL', 'the run was killed mid-epoch');
  assert.ok(killedAt >= 1);

  const db2 = openDatabase(dbPath, { key: TEST_DB_KEY });
  assert.deepEqual(checkIntegrity(db2), []);
  const prediction = getRunTiming(db2, 1).predicted;
  assert.ok(prediction && prediction.seconds > 0, 'predicted when the run started');
  closeDatabase(db2);
  const runs = runCli(['runs', '--data-dir', killed, '--json']);
  assert.equal((JSON.parse(runs.stdout) as { status: string }[])[0]!.status, 'interrupted');

  const resumed = runCli(['resume', '1', '--data-dir', killed]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming after epoch \d+/);
  const db3 = openDatabase(dbPath, { key: TEST_DB_KEY });
  try {
    assert.deepEqual(checkIntegrity(db3), []);
    assert.equal(listRuns(db3)[0]!.status, 'completed');
    assert.deepEqual(getRunTiming(db3, 1).predicted, prediction, 'a resumed run keeps its original prediction');
    assert.ok(getRunTiming(db3, 1).activeSeconds > 0);
    const got = finalState(db3);
    assert.deepEqual(got.keep, expected.keep);
    assert.deepEqual(got.labels, expected.labels);
  } finally {
    closeDatabase(db3);
  }
});

test('a run that fails before training is marked failed with the reason (shown by runs); resume of a running run names its pid', () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-notrain-'));
  const data = join(work, 'data');
  mkdirSync(data);
  for (const split of ['validation', 'test']) {
    writeFileSync(join(data, `${split}.jsonl`), [1, 2, 3, 4].map((i) => JSON.stringify({ question: `Is ${i} even?`, answer: i % 2 ? 'no' : 'yes' })).join('\n'));
  }
  const r = runCli(['trim', '--model', STORIES_BIN, '--data', data, '--data-dir', work, '--baselines', 'none']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /the train split has no usable example/);
  const runs = runCli(['runs', '--data-dir', work]);
  assert.match(runs.stdout, /run 1 {2}failed .*\n {3}failed: dataset "[^"]+": the train split has no usable example \(/);

  const db = openDatabase(join(work, 'trimllm.db'), { key: TEST_DB_KEY });
  try {
    const first = listRuns(db)[0]!;
    const id = createRun(db, { modelId: first.modelId, datasetId: first.datasetId, config: first.config, seed: 0 });
    setRunStatus(db, id, 'running', { backend: 'cpu' });
    claimRun(db, id, process.pid); // this test process is alive: the run counts as running elsewhere
    const again = runCli(['resume', String(id), '--data-dir', work]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, new RegExp(`run ${id} is already running \\(pid ${process.pid}\\)`));
    assert.equal(listRuns(db).find((x) => x.id === id)!.status, 'running', 'left alone');
  } finally {
    closeDatabase(db);
  }
});
