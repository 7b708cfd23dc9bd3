/**
 * Data lifecycle (issue 6, item 8): `trimllm backup` while a trim is writing gives a consistent copy (integrity
 * ok, every checkpoint whole) and does not disturb the run; `trimllm delete` removes a checkpoint's, a run's,
 * a dataset's, a chat's and a model's rows and BLOBs; `trimllm vacuum` gives the bytes back (measured).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { sharedPath, STORIES_BIN, TEST_DB_KEY } from '../helpers/shared.ts';
import { AnnouncedProcess, auditWorkspace } from '../helpers/kill-harness.ts';
import {
  appendChatMessage, closeDatabase, createChat, getRun, openDatabase, type Database,
} from '../../electron/store/index.ts';

// 96 training windows an epoch: the run lasts long enough after its first checkpoint for the backup to meet it.
const TRIM_ARGS = ['trim', '--model', STORIES_BIN, '--data', sharedPath('datasets/grimm_fairy_tales'), '--target', '0.7',
  '--heal-epochs', '1', '--baselines', 'none', '--max-train', '96', '--max-eval', '6', '--calibration', '4', '--window', '48',
  '--batch', '4', '--seed', '7'];

function withDb<T>(path: string, f: (db: Database) => T): T {
  const db = openDatabase(path, { key: TEST_DB_KEY });
  try {
    return f(db);
  } finally {
    closeDatabase(db);
  }
}

const count = (db: Database, sql: string, ...args: number[]) => db.prepare<{ n: number }>(sql).get(...args)!.n;

/** Tensor rows and chunk rows stored for the given checkpoint ids. */
function tensorRows(db: Database, checkpointIds: readonly number[]): { tensors: number; chunks: number } {
  const ids = JSON.stringify(checkpointIds);
  return {
    tensors: count(db, `SELECT count(*) AS n FROM checkpoint_tensors WHERE checkpoint_id IN (SELECT value FROM json_each('${ids}'))`),
    chunks: count(db, `SELECT count(*) AS n FROM tensor_chunks WHERE tensor_id IN
      (SELECT id FROM checkpoint_tensors WHERE checkpoint_id IN (SELECT value FROM json_each('${ids}')))`),
  };
}

test('backup during a running trim, then delete checkpoint/run/dataset/chat/model and vacuum', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-lifecycle-'));
  const dbPath = join(dir, 'trimllm.db');
  const copy = join(mkdtempSync(join(tmpdir(), 'trimllm-backup-')), 'copy.db');

  // Backup while the trim trains its second epoch (writing a progress row every step).
  const trim = new AnnouncedProcess([...TRIM_ARGS, '--data-dir', dir]);
  assert.ok(await trim.waitFor('checkpoint-saved drop 1: -attn3'), trim.stderr);
  const backup = runCli(['backup', copy, '--data-dir', dir]);
  assert.equal(backup.status, 0, backup.stderr);
  assert.match(backup.stdout, /backup of .*trimllm\.db: .*copy\.db, \d+ pages/);
  const copied = auditWorkspace(copy);
  assert.deepEqual(copied.problems, [], 'the copy passes integrity_check and every checkpoint in it loads whole');
  assert.ok(copied.checkpoints.length >= 1);
  assert.equal(withDb(copy, (db) => getRun(db, 1)!.status), 'running', 'the copy is the state of the live run');
  assert.equal((await trim.exited).code, 0, `the run completes although another process opened the workspace:\n${trim.stderr}`);
  const full = auditWorkspace(dbPath);
  assert.deepEqual(full.checkpoints.slice(0, copied.checkpoints.length).map((c) => c.hash), copied.checkpoints.map((c) => c.hash),
    'the copy holds the same checkpoint bytes');

  // A chat to delete, stored as the app stores it.
  const chatId = withDb(dbPath, (db) => {
    const id = createChat(db, { title: 'to delete', checkpointId: full.checkpoints[0]!.id });
    appendChatMessage(db, id, { role: 'user', content: 'hello' });
    appendChatMessage(db, id, { role: 'assistant', content: 'hi', stats: { tokens: 1 } });
    return id;
  });

  // One checkpoint: its tensors go, the others still load.
  const [first, ...rest] = full.checkpoints.map((c) => c.id);
  assert.ok(withDb(dbPath, (db) => tensorRows(db, [first!])).chunks > 0);
  assert.equal(runCli(['delete', 'checkpoint', String(first), '--data-dir', dir]).status, 0);
  assert.deepEqual(withDb(dbPath, (db) => tensorRows(db, [first!])), { tensors: 0, chunks: 0 });
  const afterOne = auditWorkspace(dbPath);
  assert.deepEqual(afterOne.problems, []);
  assert.deepEqual(afterOne.checkpoints.map((c) => c.id), rest);

  // A dataset or model in use by a run is refused with the reason.
  const refused = runCli(['delete', 'dataset', '1', '--data-dir', dir]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /run.*delete those runs first/);

  // The run: events, scores, checkpoints and every tensor chunk go.
  const before = withDb(dbPath, (db) => ({ ...tensorRows(db, rest), events: count(db, 'SELECT count(*) AS n FROM run_events WHERE run_id = 1') }));
  assert.ok(before.chunks > 0 && before.events > 0);
  const deleted = runCli(['delete', 'run', '1', '--data-dir', dir]);
  assert.equal(deleted.status, 0, deleted.stderr);
  withDb(dbPath, (db) => {
    assert.deepEqual(tensorRows(db, rest), { tensors: 0, chunks: 0 });
    assert.equal(count(db, 'SELECT count(*) AS n FROM tensor_chunks'), 0);
    assert.equal(count(db, 'SELECT count(*) AS n FROM checkpoints WHERE run_id = 1'), 0);
    assert.equal(count(db, 'SELECT count(*) AS n FROM run_events WHERE run_id = 1'), 0);
    assert.equal(count(db, 'SELECT count(*) AS n FROM importance_scores WHERE run_id = 1'), 0);
  });

  // Vacuum gives the BLOBs' bytes back.
  const vacuum = runCli(['vacuum', '--data-dir', dir]);
  assert.equal(vacuum.status, 0, vacuum.stderr);
  const m = /: (\d+) bytes .* before, (\d+) bytes .* after, (\d+) bytes reclaimed/.exec(vacuum.stdout);
  assert.ok(m, vacuum.stdout);
  const [bytesBefore, bytesAfter] = [Number(m[1]), Number(m[2])];
  assert.ok(bytesAfter < bytesBefore / 2, `vacuum shrank the database: ${bytesBefore} → ${bytesAfter} bytes`);
  t.diagnostic(`vacuum after deleting a run with ${before.chunks} tensor chunks: ${bytesBefore} → ${bytesAfter} bytes (${bytesBefore - bytesAfter} reclaimed)`);

  // Dataset, chat and model; --vacuum on the last.
  const records = withDb(dbPath, (db) => count(db, 'SELECT count(*) AS n FROM records WHERE dataset_id = 1'));
  assert.ok(records > 0);
  assert.equal(runCli(['delete', 'dataset', '1', '--data-dir', dir]).status, 0);
  assert.equal(runCli(['delete', 'chat', String(chatId), '--data-dir', dir]).status, 0);
  const model = runCli(['delete', 'model', '1', '--vacuum', '--data-dir', dir]);
  assert.equal(model.status, 0, model.stderr);
  assert.match(model.stdout, /deleted model 1\nvacuum: \d+ bytes/);
  withDb(dbPath, (db) => {
    assert.equal(count(db, 'SELECT count(*) AS n FROM records WHERE dataset_id = 1'), 0);
    assert.equal(count(db, 'SELECT count(*) AS n FROM datasets'), 0);
    assert.equal(count(db, 'SELECT count(*) AS n FROM chat_messages WHERE chat_id = ?', chatId), 0);
    assert.equal(count(db, 'SELECT count(*) AS n FROM chats'), 0);
    assert.equal(count(db, 'SELECT count(*) AS n FROM models'), 0);
  });
  const missing = runCli(['delete', 'run', '1', '--data-dir', dir]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /there is no run 1 in the workspace/);
  assert.deepEqual(auditWorkspace(dbPath).problems, []);
});
