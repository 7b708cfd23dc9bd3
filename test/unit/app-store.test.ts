// Store functions behind the app's edit-and-resend, regenerate and run comparison (schema version 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/store/db.ts';
import { insertModel } from '../../electron/store/models.ts';
import { importDataset } from '../../electron/store/datasets.ts';
import { createRun, deleteRun } from '../../electron/store/runs.ts';
import { saveCheckpoint } from '../../electron/store/checkpoints.ts';
import { listEvaluations, listRunComparison, replaceRunComparison } from '../../electron/store/evaluations.ts';
import {
  appendChatMessage, createChat, deleteTrailingAssistantMessages, editUserMessage, getChat, listChatMessages,
} from '../../electron/store/chats.ts';
import { promptMessages } from '../../electron/app/chat-turns.ts';

test('editing a user message replaces its text and deletes every later message, in one transaction', () => {
  const db = openDatabase(':memory:');
  const chat = createChat(db, { title: 'c' });
  const u1 = appendChatMessage(db, chat, { role: 'user', content: 'first' });
  appendChatMessage(db, chat, { role: 'assistant', content: 'answer 1' });
  const u2 = appendChatMessage(db, chat, { role: 'user', content: 'second' });
  const a2 = appendChatMessage(db, chat, { role: 'assistant', content: 'answer 2' });
  const other = createChat(db, { title: 'other' });
  appendChatMessage(db, other, { role: 'user', content: 'untouched' });
  const before = getChat(db, chat)!.updatedAt;

  assert.equal(editUserMessage(db, chat, u1, 'first, edited'), 3);
  assert.deepEqual(listChatMessages(db, chat).map((m) => [m.id, m.role, m.content]), [[u1, 'user', 'first, edited']]);
  assert.ok(getChat(db, chat)!.updatedAt > before);
  assert.equal(listChatMessages(db, other).length, 1, 'other chats keep their messages');

  assert.throws(() => editUserMessage(db, chat, u2, 'x'), /chat \d+ has no message \d+/, 'u2 was deleted');
  assert.throws(() => editUserMessage(db, other, u1, 'x'), /has no message/, 'a message of another chat');
  const answer = appendChatMessage(db, chat, { role: 'assistant', content: 'new answer' });
  assert.throws(() => editUserMessage(db, chat, answer, 'x'), /is a assistant message; only user messages can be edited/);
  assert.equal(listChatMessages(db, chat).find((m) => m.id === answer)!.content, 'new answer', 'a refused edit changes nothing');
  void a2;
});

test('regenerate deletes only the answers after the last user message', () => {
  const db = openDatabase(':memory:');
  const chat = createChat(db);
  appendChatMessage(db, chat, { role: 'user', content: 'q1' });
  appendChatMessage(db, chat, { role: 'assistant', content: 'a1' });
  appendChatMessage(db, chat, { role: 'user', content: 'q2' });
  appendChatMessage(db, chat, { role: 'assistant', content: 'a2' });
  appendChatMessage(db, chat, { role: 'assistant', content: 'a2 again' });
  assert.equal(deleteTrailingAssistantMessages(db, chat), 2);
  assert.deepEqual(listChatMessages(db, chat).map((m) => m.content), ['q1', 'a1', 'q2']);
  assert.equal(deleteTrailingAssistantMessages(db, chat), 0);
  // Prompts collapse consecutive answers (histories from before regenerate replaced them).
  assert.deepEqual(promptMessages([
    { id: 1, chatId: chat, role: 'user', content: 'q', stats: null, createdAt: 0 },
    { id: 2, chatId: chat, role: 'assistant', content: 'old', stats: null, createdAt: 0 },
    { id: 3, chatId: chat, role: 'assistant', content: 'new', stats: null, createdAt: 0 },
  ]), [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'new' }]);
});

test('a run comparison is replaced as a whole, lists in order, and goes with its run', () => {
  const db = openDatabase(':memory:');
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m', format: 'llama2c', config: {} });
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, []);
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  const cp = saveCheckpoint(db, { runId, step: 4, epoch: 1, keepMask: [true, false], trainableMask: [true, true], paramBytes: 8, tensors: [] });
  const run = { runId, modelId, datasetId, recordCount: 30 };
  replaceRunComparison(db, run, [{ checkpointId: null, entry: { kind: 'stale' } }]);
  replaceRunComparison(db, run, [
    { checkpointId: cp, entry: { kind: 'trimllm', performance: 0.5 } },
    { checkpointId: null, entry: { kind: 'base', performance: 0.4 } },
    { checkpointId: null, entry: { kind: 'baseline-random', performance: 0.3 } },
  ]);
  assert.deepEqual(listRunComparison(db, runId), [
    { checkpointId: cp, entry: { kind: 'trimllm', performance: 0.5 } },
    { checkpointId: null, entry: { kind: 'base', performance: 0.4 } },
    { checkpointId: null, entry: { kind: 'baseline-random', performance: 0.3 } },
  ]);
  const rows = listEvaluations(db, { runId, task: 'comparison' });
  assert.deepEqual(rows.map((r) => [r.runId, r.split, r.recordCount, r.datasetId]), Array(3).fill([runId, 'test', 30, datasetId]));
  assert.equal(listEvaluations(db, { runId: runId + 1 }).length, 0);
  assert.equal(deleteRun(db, runId), true);
  assert.deepEqual(listRunComparison(db, runId), []);
  assert.equal(listEvaluations(db).length, 0, 'deleting the run deletes its comparison');
});
