import { openEventSocket } from '../helpers/event-socket.ts';
import { setWorkspaceAccess } from '../../electron/store/index.ts';
import { TEST_DB_KEY } from '../helpers/shared.ts';
// Issue 11 through the server. Defect 1: the OpenAI-compatible SSE stream and the app's chat stream exactly the
// text they return and store. A stop string that never completes holds back the end of the reply while it is
// generated; that tail must still reach the client, in the last content chunk before the finish chunk and
// `[DONE]`. The stop string is built from the reply itself (its last characters + text it never writes).
// Defect 4: top_p 0 is accepted (greedy), as in the OpenAI API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../electron/server/index.ts';
import { nodeWorkerHost } from '../../electron/jobs/host.ts';
import { STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';

let server: RunningServer;
let ws: WebSocket;
const events: { event: string; payload: Record<string, unknown> }[] = [];
let model = '';
const MESSAGES = [{ role: 'user', content: 'Once upon a time' }];
const MAX_TOKENS = 24;

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
}

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const hit = find();
    if (hit !== undefined) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

setWorkspaceAccess({ key: TEST_DB_KEY }); // the server opens an encrypted workspace with the tests' key

before(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trimllm-stream-tail-'));
  server = await startServer({ dataDir, staticDir: join(dataDir, 'no-ui'), workerHost: nodeWorkerHost({ log: () => {} }), log: () => {} });
  ws = await openEventSocket(server.url, server.token, (data) => events.push(JSON.parse(data) as (typeof events)[number]));
  const imported = (await (await post('/api/models.import', { path: STORIES_BIN, tokenizer: STORIES_TOK, name: 'stories' })).json()) as { id: number };
  model = `model-${imported.id}`;
});

after(async () => {
  ws?.terminate();
  await server?.close();
});

async function plainReply(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await post('/v1/chat/completions', { model, messages: MESSAGES, temperature: 0, max_tokens: MAX_TOKENS, ...extra });
  assert.equal(r.status, 200);
  return ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
}

test('SSE: with a stop string that never completes, the stream still carries the whole reply', async () => {
  const reply = await plainReply();
  assert.ok(reply.length > 8, reply);
  const tail = reply.slice(-4);
  const stop = `${tail}~#`;
  assert.equal(await plainReply({ stop }), reply, 'the stop string never completes');
  const r = await post('/v1/chat/completions', { model, messages: MESSAGES, temperature: 0, max_tokens: MAX_TOKENS, stop, stream: true });
  const lines = (await r.text()).split('\n\n').filter((l) => l !== '');
  assert.equal(lines.at(-1), 'data: [DONE]');
  const chunks = lines.slice(0, -1).map((l) => JSON.parse(l.replace(/^data: /, '')) as { choices: { delta: { content?: string }; finish_reason: string | null }[] });
  const contents = chunks.map((c) => c.choices[0]!.delta.content ?? '');
  assert.equal(contents.join(''), reply, 'concatenated deltas = the reply');
  assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'length');
  assert.ok(contents.at(-2)!.endsWith(tail), `the last content chunk carries the held-back tail ${JSON.stringify(tail)}`);
});

test("the app's chat: the stored reply equals the streamed text exactly", async () => {
  const chat = (await (await post('/api/chats.create', { modelId: Number(model.slice(6)), sampling: { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxTokens: MAX_TOKENS } })).json()) as { id: number };
  const sent = (await (await post('/api/chats.send', { chatId: chat.id, content: MESSAGES[0]!.content })).json()) as { jobId: string };
  const done = await until(() => events.find((e) => e.event === 'chat.done' && e.payload.jobId === sent.jobId), 'chat.done');
  const streamed = events.filter((e) => e.event === 'chat.delta' && e.payload.jobId === sent.jobId).map((e) => e.payload.text as string).join('');
  const messages = (await (await post('/api/chats.messages', { chatId: chat.id })).json()) as { id: number; content: string }[];
  assert.equal(messages[1]!.id, done.payload.messageId);
  assert.equal(messages[1]!.content, streamed);
  assert.equal(streamed, await plainReply(), 'the same reply as the OpenAI endpoint gives');
});

test('top_p 0 is accepted and keeps only the most likely token: the greedy reply at temperature 1', async () => {
  const greedy = await plainReply();
  for (const seed of [1, 2]) assert.equal(await plainReply({ temperature: 1, top_p: 0, seed }), greedy);
  const bad = await post('/v1/chat/completions', { model, messages: MESSAGES, top_p: 1.5 });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /^top_p: /);
});
