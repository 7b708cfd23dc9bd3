// Evaluations, benchmarks, chats, settings, and the online backup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { backupDatabase, checkIntegrity, closeDatabase, openDatabase } from '../../electron/store/db.ts';
import { insertModel } from '../../electron/store/models.ts';
import { deleteDataset, importDataset, listRecords } from '../../electron/store/datasets.ts';
import { createRun, deleteRun, listRuns } from '../../electron/store/runs.ts';
import { saveCheckpoint, loadCheckpointTensors } from '../../electron/store/checkpoints.ts';
import { insertBenchmark, insertEvaluation, listBenchmarks, listEvaluations } from '../../electron/store/evaluations.ts';
import {
  appendChatMessage,
  createChat,
  getChat,
  listChatMessages,
  listChats,
  renameChat,
} from '../../electron/store/chats.ts';
import { deleteSetting, getSetting, listSettings, setSetting } from '../../electron/store/settings.ts';
import { schemaVersion, LATEST_SCHEMA_VERSION } from '../../electron/store/migrations/index.ts';

test('evaluations and benchmarks of base models and checkpoints', () => {
  const db = openDatabase(':memory:');
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m', format: 'llama2c', config: {} });
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, []);
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  const cp = saveCheckpoint(db, {
    runId, step: 1, epoch: 0, keepMask: [true, true], trainableMask: [true, true], paramBytes: 8, tensors: [],
  });
  const base = insertEvaluation(db, { modelId, datasetId, split: 'test', task: 'mcq', recordCount: 100, metrics: { acc: 0.31, acc_norm: 0.33 } });
  const trimmed = insertEvaluation(db, { modelId, checkpointId: cp, datasetId, split: 'test', task: 'mcq', recordCount: 100, metrics: { acc: 0.4 } });

  assert.deepEqual(listEvaluations(db, { modelId }).map((e) => e.id), [base, trimmed]);
  assert.deepEqual(listEvaluations(db, { checkpointId: null }).map((e) => e.id), [base]);
  assert.deepEqual(listEvaluations(db, { runId }).map((e) => e.id), [trimmed]);
  const [first] = listEvaluations(db, { checkpointId: cp });
  assert.deepEqual(first!.metrics, { acc: 0.4 });
  assert.equal(first!.split, 'test');
  assert.equal(first!.recordCount, 100);

  const bench = insertBenchmark(db, {
    modelId, checkpointId: cp, backend: 'tensorflow', prefillTokensPerSecond: 5000, decodeTokensPerSecond: 120.5,
    paramBytes: 8, peakRssBytes: 300e6, details: { promptTokens: 128 },
  });
  insertBenchmark(db, { modelId, backend: 'tensorflow', decodeTokensPerSecond: 90 });
  assert.equal(listBenchmarks(db, modelId).length, 2);
  const [b] = listBenchmarks(db, modelId, cp);
  assert.equal(b!.id, bench);
  assert.equal(b!.decodeTokensPerSecond, 120.5);
  assert.deepEqual(b!.details, { promptTokens: 128 });
  assert.equal(listBenchmarks(db, modelId, null)[0]!.prefillTokensPerSecond, null);

  // deleting the run takes its checkpoint's results; the base model's evaluation stays, losing only the dataset
  deleteRun(db, runId);
  assert.deepEqual(listEvaluations(db).map((e) => e.id), [base]);
  assert.equal(listBenchmarks(db, modelId).length, 1);
  deleteDataset(db, datasetId);
  assert.equal(listEvaluations(db)[0]!.datasetId, null);
  closeDatabase(db);
});

test('chats keep their messages in order and sort by last activity', () => {
  const db = openDatabase(':memory:');
  const a = createChat(db, { title: 'first', settings: { temperature: 0.7 } });
  const b = createChat(db);
  appendChatMessage(db, a, { role: 'system', content: 'You are a clinician.' });
  appendChatMessage(db, a, { role: 'user', content: 'Dose?' });
  appendChatMessage(db, a, { role: 'assistant', content: '5 mg.', stats: { tokens: 3, tokensPerSecond: 40 } });
  const messages = listChatMessages(db, a);
  assert.deepEqual(messages.map((m) => m.role), ['system', 'user', 'assistant']);
  assert.deepEqual(messages[2]!.stats, { tokens: 3, tokensPerSecond: 40 });
  assert.equal(messages[0]!.stats, null);
  assert.deepEqual(getChat(db, a)!.settings, { temperature: 0.7 });
  assert.ok(getChat(db, a)!.updatedAt >= getChat(db, b)!.updatedAt);
  assert.equal(listChats(db)[0]!.id, a);

  renameChat(db, b, 'renamed');
  assert.equal(getChat(db, b)!.title, 'renamed');
  assert.throws(() => renameChat(db, 99, 'x'), /chat 99 does not exist/);
  assert.throws(() => appendChatMessage(db, 99, { role: 'user', content: 'x' }), /FOREIGN KEY/);
  assert.throws(() => appendChatMessage(db, a, { role: 'tool' as 'user', content: 'x' }), /CHECK/);
  closeDatabase(db);
});

test('settings store JSON values checked by a schema on read', () => {
  const db = openDatabase(':memory:');
  setSetting(db, 'hub.endpoint', 'http://127.0.0.1:8080');
  setSetting(db, 'train.defaults', { lr: 1e-3, ratio: 0.25 });
  setSetting(db, 'hub.endpoint', 'http://127.0.0.1:9090'); // replaces
  assert.equal(getSetting(db, 'hub.endpoint', z.string()), 'http://127.0.0.1:9090');
  assert.deepEqual(getSetting(db, 'train.defaults', z.object({ lr: z.number(), ratio: z.number() })), { lr: 1e-3, ratio: 0.25 });
  assert.equal(getSetting(db, 'missing', z.string()), undefined);
  assert.throws(() => getSetting(db, 'hub.endpoint', z.number()), /setting "hub.endpoint" has an unexpected value/);
  assert.throws(() => setSetting(db, 'x', undefined), /cannot store setting "x" as JSON/);
  assert.deepEqual(Object.keys(listSettings(db)), ['hub.endpoint', 'train.defaults']);
  assert.equal(deleteSetting(db, 'hub.endpoint'), true);
  assert.equal(deleteSetting(db, 'hub.endpoint'), false);
  closeDatabase(db);
});

test('backupDatabase writes a consistent, readable copy while the source stays open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-store-'));
  try {
    const db = openDatabase(join(dir, 'state.db'));
    const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m', format: 'llama2c', config: {} });
    const datasetId = importDataset(
      db,
      { name: 'd', source: '/d', format: 'jsonl', taskType: 'text', mapping: {} },
      Array.from({ length: 2000 }, (_, i) => ({ split: 'train' as const, payload: { text: `line ${i} `.repeat(20) } })),
    );
    const runId = createRun(db, { modelId, datasetId, config: { a: 1 }, seed: 3 });
    const data = new Float32Array(10_000).map((_, i) => Math.cos(i));
    const cp = saveCheckpoint(db, {
      runId, step: 0, epoch: 0, keepMask: [true, true], trainableMask: [true, true], paramBytes: data.byteLength,
      tensors: [{ name: 'w', shape: [100, 100], data }],
    }, { chunkBytes: 4096 });

    const dest = join(dir, 'backup.db');
    const { pages } = await backupDatabase(db, dest);
    assert.ok(pages > 10);
    setSetting(db, 'after', true); // written after the backup: not in the copy

    const copy = openDatabase(dest);
    assert.equal(schemaVersion(copy), LATEST_SCHEMA_VERSION);
    assert.deepEqual(checkIntegrity(copy), []);
    assert.equal(listRecords(copy, datasetId, 'train').length, 2000);
    assert.deepEqual(listRuns(copy)[0]!.config, { a: 1 });
    const [w] = loadCheckpointTensors(copy, cp);
    assert.ok(Buffer.from(w!.data.buffer).equals(Buffer.from(data.buffer)));
    assert.equal(getSetting(copy, 'after', z.boolean()), undefined);
    closeDatabase(copy);
    closeDatabase(db);
    const memory = openDatabase(':memory:');
    await assert.rejects(backupDatabase(memory, join(dir, 'no', 'such', 'dir.db')), /directory does not exist/);
    closeDatabase(memory);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
