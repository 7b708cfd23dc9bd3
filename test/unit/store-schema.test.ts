// Schema guarantees: STRICT typing, CHECK constraints, hot queries use their indices, cascading deletes and
// vacuum, integrity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIntegrity, closeDatabase, openDatabase, vacuum } from '../../electron/store/db.ts';
import type { Database } from '../../electron/store/driver.ts';
import { insertModel } from '../../electron/store/models.ts';
import { deleteDataset, importDataset } from '../../electron/store/datasets.ts';
import { createRun, deleteRun } from '../../electron/store/runs.ts';
import { RUN_EVENTS_BY_RUN_SQL, appendRunEvents, recordImportanceScan } from '../../electron/store/run-metrics.ts';
import { CHECKPOINTS_BY_RUN_SQL, LATEST_CHECKPOINT_SQL, saveCheckpoint } from '../../electron/store/checkpoints.ts';
import { insertEvaluation } from '../../electron/store/evaluations.ts';
import { MESSAGES_BY_CHAT_SQL, appendChatMessage, createChat, deleteChat } from '../../electron/store/chats.ts';

function seed(db: Database): { modelId: number; datasetId: number; runId: number } {
  const modelId = insertModel(db, { name: 'tiny', sourceKind: 'path', source: '/m/tiny.bin', format: 'llama2c', config: {} });
  const datasetId = importDataset(
    db,
    { name: 'qa', source: '/d/qa.jsonl', format: 'jsonl', taskType: 'mcq', mapping: {} },
    [{ split: 'train', payload: { q: 1 } }, { split: 'validation', payload: { q: 2 } }],
  );
  const runId = createRun(db, { modelId, datasetId, config: { epochs: 1 }, seed: 7 });
  return { modelId, datasetId, runId };
}

function count(db: Database, table: string): number {
  return db.prepare<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;
}

function plan(db: Database, sql: string, ...params: (number | Record<string, number>)[]): string {
  return db
    .prepare<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...params)
    .map((r) => r.detail)
    .join('\n');
}

test('every table is STRICT', () => {
  const db = openDatabase(':memory:');
  const rows = db
    .prepare<{ name: string; strict: number }>(
      `SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'`,
    )
    .all();
  assert.ok(rows.length >= 14);
  for (const r of rows) assert.equal(r.strict, 1, `${r.name} is not STRICT`);
  closeDatabase(db);
});

test('STRICT tables reject values of the wrong type', () => {
  const db = openDatabase(':memory:');
  const { runId } = seed(db);
  const datatype = { code: 'SQLITE_CONSTRAINT_DATATYPE' };
  // TEXT into INTEGER
  assert.throws(
    () => db.prepare(`INSERT INTO run_events (run_id, step, epoch, created_at) VALUES (?, 'ten', 0, 0)`).run(runId),
    datatype,
  );
  // a non-integral REAL into INTEGER
  assert.throws(() => createRun(db, { modelId: 1, datasetId: 1, config: {}, seed: 1.5 }), datatype);
  // BLOB into TEXT
  assert.throws(
    () => db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('k', ?, 0)`).run(Buffer.from('1')),
    datatype,
  );
  // TEXT into REAL
  assert.throws(
    () => db.prepare(`INSERT INTO run_events (run_id, step, epoch, loss, created_at) VALUES (?, 0, 0, 'low', 0)`).run(runId),
    datatype,
  );
  // an integer-valued REAL is accepted into INTEGER (STRICT converts losslessly)
  db.prepare(`INSERT INTO run_events (run_id, step, epoch, created_at) VALUES (?, 3.0, 0, 0)`).run(runId);
  closeDatabase(db);
});

test('CHECK constraints guard enumerations, JSON and ranges', () => {
  const db = openDatabase(':memory:');
  const { runId } = seed(db);
  const check = { code: 'SQLITE_CONSTRAINT_CHECK' };
  assert.throws(() => db.prepare(`UPDATE runs SET status = 'paused' WHERE id = ?`).run(runId), check);
  assert.throws(() => db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('k', '{oops', 0)`).run(), check);
  assert.throws(() => appendRunEvents(db, runId, [{ step: 0, epoch: 0, performance: 1.5 }]), check);
  assert.throws(
    () => recordImportanceScan(db, runId, 0, [{ subLayer: 'ffn0' as 'mlp0', calibrationPerformance: 0, importance: 1, activationNorm: 1 }]),
    /invalid sub-layer name "ffn0"/,
  );
  assert.throws(
    () => insertModel(db, { name: 'x', sourceKind: 'path', source: '/x', format: 'f', config: {}, sha256: 'ABC' }),
    check,
  );
  closeDatabase(db);
});

test('events-by-run and checkpoints-by-run queries use their indices without sorting', () => {
  const db = openDatabase(':memory:');
  const { runId } = seed(db);
  // give the planner some rows and statistics, as a real database would have
  for (let i = 0; i < 200; i++) appendRunEvents(db, runId, [{ step: i, epoch: 0, loss: 1 }]);
  db.exec('ANALYZE');

  const events = plan(db, RUN_EVENTS_BY_RUN_SQL, { runId, afterId: 0 });
  assert.match(events, /USING INDEX run_events_by_run \(run_id=\?\)/);
  assert.doesNotMatch(events, /TEMP B-TREE/);

  const byRun = plan(db, CHECKPOINTS_BY_RUN_SQL, runId);
  assert.match(byRun, /USING INDEX checkpoints_by_run \(run_id=\?\)/);
  assert.doesNotMatch(byRun, /TEMP B-TREE/);

  const latest = plan(db, LATEST_CHECKPOINT_SQL, runId);
  assert.match(latest, /USING INDEX checkpoints_by_run \(run_id=\?\)/);
  assert.doesNotMatch(latest, /TEMP B-TREE/);

  const messages = plan(db, MESSAGES_BY_CHAT_SQL, 1);
  assert.match(messages, /USING INDEX chat_messages_by_chat \(chat_id=\?\)/);
  assert.doesNotMatch(messages, /TEMP B-TREE/);
  closeDatabase(db);
});

test('deleting a run cascades to events, scores, checkpoints, tensor BLOBs and their evaluations', () => {
  const db = openDatabase(':memory:');
  const { modelId, runId } = seed(db);
  appendRunEvents(db, runId, [{ step: 0, epoch: 0, loss: 2 }, { step: 1, epoch: 0, loss: 1.5 }]);
  recordImportanceScan(db, runId, 0, [
    { subLayer: 'attn0', calibrationPerformance: 0.5, importance: 2, activationNorm: 3 },
    { subLayer: 'mlp0', calibrationPerformance: 0.25, importance: 4, activationNorm: 1 },
  ]);
  const checkpointId = saveCheckpoint(db, {
    runId, step: 1, epoch: 0, keepMask: [true, false], trainableMask: [true, false], paramBytes: 64,
    tensors: [{ name: 'w', shape: [4, 4], data: new Float32Array(16).fill(1) }],
  }, { chunkBytes: 16 });
  insertEvaluation(db, { modelId, checkpointId, task: 'mcq', recordCount: 1, metrics: { acc: 1 } });
  assert.equal(count(db, 'tensor_chunks'), 4);

  assert.throws(() => deleteDataset(db, 1), /used by 1 run\(s\) \(ids 1\); delete those runs first/);
  assert.equal(deleteRun(db, runId), true);
  for (const table of ['runs', 'run_events', 'importance_scores', 'checkpoints', 'checkpoint_tensors', 'tensor_chunks', 'evaluations']) {
    assert.equal(count(db, table), 0, table);
  }
  assert.equal(deleteRun(db, runId), false);
  vacuum(db);
  assert.deepEqual(checkIntegrity(db), []);
  closeDatabase(db);
});

test('deleting a dataset removes its records; deleting a chat removes its messages', () => {
  const db = openDatabase(':memory:');
  const datasetId = importDataset(
    db,
    { name: 'd', source: '/d', format: 'jsonl', taskType: 'text', mapping: null },
    Array.from({ length: 50 }, (_, i) => ({ split: 'train' as const, payload: { text: `r${i}` } })),
  );
  const chatId = createChat(db, { title: 'hi' });
  appendChatMessage(db, chatId, { role: 'user', content: 'hello' });
  appendChatMessage(db, chatId, { role: 'assistant', content: 'hi there', stats: { tokens: 2 } });
  assert.equal(count(db, 'records'), 50);

  assert.equal(deleteDataset(db, datasetId), true);
  assert.equal(count(db, 'records'), 0);
  assert.equal(deleteChat(db, chatId), true);
  assert.equal(count(db, 'chat_messages'), 0);
  vacuum(db);
  assert.deepEqual(checkIntegrity(db), []);
  closeDatabase(db);
});

test('vacuum refuses to run inside a transaction', () => {
  const db = openDatabase(':memory:');
  db.exec('BEGIN');
  assert.throws(() => vacuum(db), /inside a transaction/);
  db.exec('ROLLBACK');
  closeDatabase(db);
});
