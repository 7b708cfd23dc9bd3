// Server mode under a request flood (issue "Trust" §7): while a trim run trains in its worker process, a bounded
// flood on loopback — requests without a token, with a wrong token, with an oversized body, and authenticated
// reads — is answered with 401 / 413 / 200, never a 5xx or a dropped connection, and the training job keeps
// making progress during the flood and completes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { openEventSocket } from '../helpers/event-socket.ts';
import { startServer, type RunningServer } from '../../electron/server/index.ts';
import { nodeWorkerHost } from '../../electron/jobs/host.ts';
import { repoPath, STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';
import { setWorkspaceAccess } from '../../electron/store/index.ts';
import { TEST_DB_KEY } from '../helpers/shared.ts';

setWorkspaceAccess({ key: TEST_DB_KEY }); // the server opens an encrypted workspace with the tests' key

/** Total requests of the flood, and how many are in flight at once. */
const FLOOD_REQUESTS = 1600;
const FLOOD_CONCURRENCY = 48;

let server: RunningServer;
let ws: WebSocket;
const events: { event: string; payload: Record<string, unknown>; at: number }[] = [];

async function api(method: string, body: unknown, token: string | null = server.token): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as unknown) : null };
}

before(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trimllm-flood-'));
  server = await startServer({ dataDir, staticDir: join(dataDir, 'no-ui'), workerHost: nodeWorkerHost({ log: () => {} }), log: () => {} });
  ws = await openEventSocket(server.url, server.token, (data) => {
    const e = JSON.parse(data) as { event: string; payload: Record<string, unknown> };
    events.push({ ...e, at: Date.now() });
  });
});

after(async () => {
  ws?.terminate();
  await server?.close();
});

/** One flood request, by index: a mix of the ways a local attacker or a runaway tool would hit the server. */
async function floodRequest(i: number): Promise<{ kind: string; status: number }> {
  switch (i % 4) {
    case 0: return { kind: 'no token', status: (await api('runs.list', {}, null)).status };
    case 1: return { kind: 'wrong token', status: (await api('runs.list', {}, wrongToken(server.token))).status };
    case 2: return { kind: 'oversized body', status: (await api('chats.create', `{"pad":"${'a'.repeat(2_000_000)}"}`)).status };
    default: return { kind: 'authenticated read', status: (await api('runs.list', {})).status };
  }
}

/** A token that differs from the real one in its first character (a fixed 'x' was the real token 1 time in 64). */
function wrongToken(token: string): string {
  return `${token.startsWith('x') ? 'y' : 'x'}${token.slice(1)}`;
}

const EXPECTED: Record<string, number> = { 'no token': 401, 'wrong token': 401, 'oversized body': 413, 'authenticated read': 200 };

test('a bounded loopback request flood does not stop an ongoing training job', async () => {
  const model = await api('models.import', { path: STORIES_BIN, tokenizer: STORIES_TOK, name: 'stories' });
  assert.equal(model.status, 200, JSON.stringify(model.json));
  const dataset = await api('datasets.import', { path: repoPath('resources/demo/story-qa.jsonl'), name: 'story-qa' });
  assert.equal(dataset.status, 200, JSON.stringify(dataset.json));
  const settings = { target: 0.7, maxEpochs: 4, maxTrain: 48, maxEval: 6, calibrationSize: 4, baselines: [] };
  const started = await api('runs.start', { modelId: (model.json as { id: number }).id, datasetId: (dataset.json as { id: number }).id, settings });
  assert.equal(started.status, 200, JSON.stringify(started.json));
  const { jobId } = started.json as { jobId: string };

  // Wait until training is under way, then flood.
  const deadline = Date.now() + 120_000;
  while (!events.some((e) => e.event === 'job.progress' && e.payload.jobId === jobId) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const floodStart = Date.now();
  const outcomes: { kind: string; status: number }[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: FLOOD_CONCURRENCY }, async () => {
    while (next < FLOOD_REQUESTS) outcomes.push(await floodRequest(next++));
  }));
  const floodEnd = Date.now();

  const wrong = outcomes.filter((o) => o.status !== EXPECTED[o.kind]);
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of ${outcomes.length} flood requests got an unexpected status`);
  assert.equal(outcomes.length, FLOOD_REQUESTS);
  const progressDuring = events.filter((e) => e.event === 'job.progress' && e.payload.jobId === jobId &&
    e.at >= floodStart && e.at <= floodEnd).length;
  console.log(`flood: ${FLOOD_REQUESTS} requests in ${((floodEnd - floodStart) / 1000).toFixed(1)} s ` +
    `(${Math.round(FLOOD_REQUESTS / ((floodEnd - floodStart) / 1000))} requests/s), ${progressDuring} progress events during it`);

  // The job finishes normally after the flood; its progress went on during it (events are polled from SQLite).
  while (!events.some((e) => e.event === 'job.finished' && e.payload.jobId === jobId) && Date.now() < floodEnd + 240_000) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const finished = events.find((e) => e.event === 'job.finished' && e.payload.jobId === jobId);
  assert.equal(finished?.payload.status, 'completed', JSON.stringify(finished?.payload));
  assert.ok(progressDuring > 0, 'training progress events arrived during the flood');
});
