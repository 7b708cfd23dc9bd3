// Server mode end to end on a temporary workspace with the real stories260K model: every API method's happy path
// (responses checked against the contract), a tiny trim run streaming job.progress / run.scan / run.checkpoint /
// job.finished over the WebSocket, chats streaming chat.delta with persisted messages, the OpenAI-compatible
// endpoint (plain and streamed), and cancel → interrupted → resume → completed. Every event payload is checked
// against its schema. Workers run as real child processes; all are closed at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { openEventSocket } from '../helpers/event-socket.ts';
import { z } from 'zod';
import { EVENTS, METHOD_NAMES, METHODS, type EventName, type Method, type Request, type Response } from '../../electron/api/contract.ts';
import { startServer, type RunningServer } from '../../electron/server/index.ts';
import { nodeWorkerHost } from '../../electron/jobs/host.ts';
import { repoPath, STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';
import { setWorkspaceAccess } from '../../electron/store/index.ts';
import { formatDuration } from '../../engine/report/duration.ts';
import { TEST_DB_KEY } from '../helpers/shared.ts';

setWorkspaceAccess({ key: TEST_DB_KEY }); // the server opens an encrypted workspace with the tests' key

const DATA = repoPath('resources/demo/story-qa.jsonl');
const TINY = { target: 0.8, maxEpochs: 2, maxTrain: 16, maxEval: 6, calibrationSize: 4, baselines: [] };

interface Received {
  event: EventName;
  payload: Record<string, unknown>;
}

let server: RunningServer;
let ws: WebSocket;
const events: Received[] = [];
const waiters = new Set<() => boolean>();
const called = new Set<Method>();
const workerLog: string[] = [];

async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${server.url}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** Calls a method; asserts 200 and a response that matches the contract. */
async function call<M extends Method>(method: M, request: Request<M>): Promise<Response<M>> {
  const r = await post(`/api/${method}`, request);
  assert.equal(r.status, 200, `${method}: ${JSON.stringify(r.body)}`);
  called.add(method);
  return METHODS[method].response.parse(r.body) as Response<M>;
}

/** The first event (received or to come) that matches. */
function waitFor(match: (e: Received) => boolean, timeoutMs = 90_000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = events.find(match);
      if (!hit) return false;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(hit);
      return true;
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`no matching event in ${timeoutMs} ms; got: ${events.map((e) => e.event).join(' ')}\n${workerLog.slice(-20).join('\n')}`));
    }, timeoutMs);
    if (!check()) waiters.add(check);
  });
}

const of = (jobId: string) => (e: Received) => e.payload.jobId === jobId;

before(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trimllm-server-api-'));
  server = await startServer({
    dataDir, staticDir: join(dataDir, 'no-ui'), workerHost: nodeWorkerHost({ log: (name, line) => workerLog.push(`[${name}] ${line}`) }),
    log: (line) => workerLog.push(line),
  });
  ws = await openEventSocket(server.url, server.token, (data) => {
    const e = JSON.parse(data) as Received;
    EVENTS[e.event].parse(e.payload); // every event matches the contract
    events.push(e);
    for (const w of [...waiters]) w();
  });
});

after(async () => {
  ws?.terminate();
  await server?.close();
});

let modelId = 0;
let datasetId = 0;

test('system, models and datasets', async () => {
  const doctor = await call('system.doctor', {});
  assert.ok(['wasm', 'cpu'].includes(doctor.backend) || doctor.backend.startsWith('tensorflow'));
  const model = await call('models.import', { path: STORIES_BIN, tokenizer: STORIES_TOK, name: 'stories' });
  modelId = model.id;
  assert.equal(model.nLayers, 5);
  assert.deepEqual((await call('models.list', {})).map((m) => m.id), [modelId]);
  const inspect = await call('models.inspect', { id: modelId });
  assert.equal(inspect.subLayers.length, 10);
  assert.equal(inspect.totalBytes, inspect.sharedBytes + inspect.subLayers.reduce((a, s) => a + s.bytes, 0));

  const preview = await call('datasets.preview', { path: DATA });
  assert.equal(preview.taskType, 'mcq');
  assert.equal(preview.total, 360);
  assert.ok(preview.sample.length > 0);
  assert.equal((await call('datasets.list', {})).length, 0, 'a preview stores nothing');
  const dataset = await call('datasets.import', { path: DATA, name: 'story-qa' });
  datasetId = dataset.id;
  assert.equal(dataset.counts.train + dataset.counts.validation + dataset.counts.test, 360);
  assert.deepEqual((await call('datasets.list', {})).map((d) => d.id), [datasetId]);
});

test('a tiny trim run streams progress, scans and checkpoints, then completes; chats and /v1 work beside it', async () => {
  // The estimate before Start (the trim form's "Estimate time"): measured in the utility worker, said in plain words.
  const settings = { ...TINY, baselines: ['random' as const], baselineEpochs: 1 };
  const estimate = await call('runs.estimate', { modelId, datasetId, settings });
  assert.ok(estimate.seconds > 0 && estimate.uncertainty > 0, JSON.stringify(estimate));
  assert.ok(Math.abs(estimate.phases.reduce((a, p) => a + p.seconds, 0) - estimate.seconds) < 1e-6 * estimate.seconds, 'the phases add up');
  assert.equal(estimate.fits, true);
  assert.equal(estimate.memoryMessage, null);
  assert.match(estimate.summary, /^about \S+ (s|min|h) ± \S+ (s|min|h); most of the time goes to .+; fits this computer's memory$/);
  assert.ok(estimate.details.length >= 5, estimate.details.join('\n'));
  assert.ok(estimate.phases.find((p) => p.name === 'GGUF files')!.seconds > 0, 'the run Start makes writes a report: its GGUF files are planned');
  assert.equal((await post('/api/runs.estimate', { modelId: 99_999, datasetId, settings })).status, 404);
  const { runId, jobId } = await call('runs.start', { modelId, datasetId, settings });
  const busy = await post('/api/runs.start', { modelId, datasetId, settings: TINY });
  assert.equal(busy.status, 409, 'one trim at a time');

  // A chat beside the running trim.
  const chat = await call('chats.create', { modelId, sampling: { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxTokens: 12 } });
  const sent = await call('chats.send', { chatId: chat.id, content: 'Once upon a time' });
  const done = await waitFor((e) => e.event === 'chat.done' && of(sent.jobId)(e));
  const deltas = events.filter((e) => e.event === 'chat.delta' && of(sent.jobId)(e)).map((e) => e.payload.text as string);
  assert.ok(deltas.length > 0, 'chat.delta events');
  await waitFor((e) => e.event === 'job.finished' && of(sent.jobId)(e) && e.payload.status === 'completed');
  const messages = await call('chats.messages', { chatId: chat.id });
  assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant']);
  assert.equal(messages[0]!.id, sent.userMessageId);
  assert.equal(messages[1]!.id, done.payload.messageId);
  assert.equal(messages[1]!.content, deltas.join('').trim());
  const stats = messages[1]!.stats as { tokens: number; decodeTokensPerSecond: number };
  assert.equal(stats.tokens, done.payload.tokens);
  assert.ok(stats.decodeTokensPerSecond >= 0);

  const again = await call('chats.regenerate', { chatId: chat.id });
  const regenerated = await waitFor((e) => e.event === 'chat.done' && of(again.jobId)(e));
  await waitFor((e) => e.event === 'job.finished' && of(again.jobId)(e));
  const afterRegenerate = await call('chats.messages', { chatId: chat.id });
  assert.deepEqual(afterRegenerate.map((m) => m.role), ['user', 'assistant'], 'regenerate replaces the answer');
  assert.equal(afterRegenerate[1]!.id, regenerated.payload.messageId);

  // Edit and resend: the user message's text changes, the old answer goes, a new one comes.
  const edited = await call('chats.editMessage', { chatId: chat.id, messageId: sent.userMessageId, content: 'Lily went to the park' });
  assert.equal(edited.removed, 1);
  const editedDone = await waitFor((e) => e.event === 'chat.done' && of(edited.jobId)(e));
  await waitFor((e) => e.event === 'job.finished' && of(edited.jobId)(e));
  const afterEdit = await call('chats.messages', { chatId: chat.id });
  assert.deepEqual(afterEdit.map((m) => [m.role, m.role === 'user' ? m.content : m.id]), [['user', 'Lily went to the park'], ['assistant', editedDone.payload.messageId]]);
  assert.equal((await post('/api/chats.editMessage', { chatId: chat.id, messageId: afterEdit[1]!.id, content: 'x' })).status, 409, 'only user messages');
  const long = await call('chats.send', { chatId: chat.id, content: 'Tell me more', sampling: { temperature: 0.7, topK: 0, topP: 0.9, repetitionPenalty: 1, maxTokens: 4000 } });
  assert.deepEqual(await call('chats.stop', { jobId: long.jobId }), { ok: true });
  const stopped = await waitFor((e) => e.event === 'job.finished' && of(long.jobId)(e));
  assert.equal(stopped.payload.status, 'cancelled');
  const chats = await call('chats.list', {});
  assert.equal(chats[0]!.id, chat.id);

  // The OpenAI-compatible endpoint.
  const authed = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  const models = z.object({ object: z.literal('list'), data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() })) })
    .parse(await (await fetch(`${server.url}/v1/models`, { headers: authed })).json());
  assert.ok(models.data.some((m) => m.id === `model-${modelId}`));
  const completion = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST', headers: authed,
    body: JSON.stringify({ model: `model-${modelId}`, messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 8 }),
  });
  assert.equal(completion.status, 200);
  const plain = z.object({
    id: z.string().startsWith('chatcmpl-'), object: z.literal('chat.completion'), created: z.number(), model: z.literal(`model-${modelId}`),
    choices: z.array(z.object({ index: z.literal(0), message: z.object({ role: z.literal('assistant'), content: z.string() }), finish_reason: z.enum(['stop', 'length']) })).length(1),
    usage: z.object({ prompt_tokens: z.number().int().positive(), completion_tokens: z.number().int(), total_tokens: z.number().int() }),
  }).parse(await completion.json());
  assert.equal(plain.usage.total_tokens, plain.usage.prompt_tokens + plain.usage.completion_tokens);
  const streamed = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST', headers: authed,
    body: JSON.stringify({ model: `model-${modelId}`, messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 8, stream: true }),
  });
  assert.match(streamed.headers.get('content-type') ?? '', /^text\/event-stream/);
  const lines = (await streamed.text()).split('\n\n').filter((l) => l !== '');
  assert.equal(lines.at(-1), 'data: [DONE]');
  const Chunk = z.object({
    id: z.string(), object: z.literal('chat.completion.chunk'), created: z.number(), model: z.string(),
    choices: z.array(z.object({ index: z.literal(0), delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }), finish_reason: z.enum(['stop', 'length']).nullable() })).length(1),
  });
  const chunks = lines.slice(0, -1).map((l) => Chunk.parse(JSON.parse(l.replace(/^data: /, ''))));
  assert.ok(chunks.at(-1)!.choices[0]!.finish_reason !== null);
  assert.equal(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('').trim(), plain.choices[0]!.message.content, 'greedy: streamed = plain');
  const unknown = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authed, body: JSON.stringify({ model: 'model-999', messages: [{ role: 'user', content: 'x' }] }) });
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'model_not_found');

  // The trim run's events.
  const finished = await waitFor((e) => e.event === 'job.finished' && of(jobId)(e), 120_000);
  assert.equal(finished.payload.status, 'completed', JSON.stringify(finished.payload));
  const progress = events.filter((e) => e.event === 'job.progress' && of(jobId)(e));
  assert.ok(progress.some((e) => e.payload.phase === 'train' && typeof e.payload.loss === 'number'), 'training progress');
  const checkpoints = events.filter((e) => e.event === 'run.checkpoint' && e.payload.runId === runId);
  const labels = checkpoints.map((e) => e.payload.label as string);
  assert.equal(labels.length, 6, labels.join(' | '));
  assert.match(labels[0]!, /^drop 1: -/);
  assert.match(labels[1]!, /^drop 2: -/);
  assert.deepEqual(labels.slice(2), ['heal 1', 'heal 2', 'done', 'random 80% + fine-tune'], 'the baseline is a checkpoint too');
  assert.ok(events.some((e) => e.event === 'run.scan' && e.payload.runId === runId));
  assert.ok(progress.some((e) => e.payload.phase === 'baseline random'), 'baseline progress');
  assert.ok(events.indexOf(finished) > events.indexOf(checkpoints.at(-1)!), 'job.finished comes after the last checkpoint');

  const got = await call('runs.get', { id: runId });
  assert.equal(got.run.status, 'completed');
  assert.equal(got.nLayers, 5);
  assert.deepEqual(got.checkpoints.map((c) => c.id), checkpoints.map((e) => e.payload.checkpointId));
  assert.ok(got.events.length > 0 && got.scans.length >= 3);
  // Scans are recorded at the optimizer step they follow: the initial one at 0, later ones at a logged step.
  assert.equal(got.scans[0]!.step, 0);
  const steps = new Set(got.events.map((e) => e.step));
  for (const scan of got.scans.slice(1)) assert.ok(steps.has(scan.step), `scan ${scan.scan} at step ${scan.step}`);
  // The comparison: every TrimLLM checkpoint entry, the base model and the random-drop baseline, side by side.
  const kinds = got.comparison.map((c) => (c.entry as { kind: string }).kind);
  assert.deepEqual(kinds.filter((k) => k !== 'trimllm'), ['base', 'baseline-random']);
  assert.equal(kinds.filter((k) => k === 'trimllm').length, got.checkpoints.length - 2, 'every measured checkpoint (not "done", not the baseline)');
  // Every entry but the base model points at its checkpoint: the TrimLLM ones and the stored baseline.
  const doneMarker = got.checkpoints.find((c) => c.label === 'done')!;
  assert.deepEqual(got.comparison.filter((c) => c.checkpointId !== null).map((c) => c.checkpointId), got.checkpoints.filter((c) => c !== doneMarker).map((c) => c.id));
  assert.deepEqual(got.report.files, ['report.md', 'report.json', 'loss.svg', 'layer-map.svg', 'frontier.svg']);
  const reportMd = await call('runs.report', { id: runId, file: 'report.md' });
  assert.match(reportMd.content, /baseline-random|random 50%/);
  // The run kept the estimate made before Start (the same settings): the report puts it beside the time taken.
  const predicted = `predicted ${formatDuration(estimate.seconds)} ± ${formatDuration(estimate.uncertainty)}, took `;
  assert.ok(reportMd.content.includes(`- Time: ${predicted}`), reportMd.content.split('\n').slice(0, 8).join('\n'));
  assert.equal((await call('runs.list', {}))[0]!.id, runId);

  // A checkpoint is servable.
  const cp = got.checkpoints.at(-1)!;
  const served = (await (await fetch(`${server.url}/v1/models`, { headers: authed })).json()) as { data: { id: string }[] };
  assert.ok(served.data.some((m) => m.id === `checkpoint-${cp.id}`));
  const cpChat = await call('chats.create', { checkpointId: cp.id });
  const cpSent = await call('chats.send', { chatId: cpChat.id, content: 'Hello', sampling: { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxTokens: 6 } });
  assert.equal((await waitFor((e) => e.event === 'job.finished' && of(cpSent.jobId)(e))).payload.status, 'completed');

  // Issue 12: the checkpoint exported as a GGUF file (and a Modelfile), with progress events up to 1.
  const exportDir = join(mkdtempSync(join(tmpdir(), 'trimllm-api-export-')), 'out');
  const exported = await call('checkpoints.export', { id: cp.id, format: 'gguf', dtype: 'Q4_0', destination: exportDir });
  assert.equal(exported.path, join(exportDir, `trimllm-checkpoint-${cp.id}-Q4_0.gguf`));
  assert.ok(existsSync(exported.path) && existsSync(exported.modelfile!));
  await waitFor((e) => e.event === 'export.progress' && (e.payload as { checkpointId: number; fraction: number }).checkpointId === cp.id && (e.payload as { fraction: number }).fraction === 1);
  assert.equal((await post('/api/checkpoints.export', { id: 99_999, format: 'hf', destination: exportDir })).status, 404);
});

test('cancel stops a trim at its checkpoint (interrupted), and resume finishes it', async () => {
  // One drop and one healing epoch: cancelled after the drop's checkpoint, resumed for the healing.
  const settings = { ...TINY, target: 0.9, maxEpochs: 1, seed: 3 };
  const { runId, jobId } = await call('runs.start', { modelId, datasetId, settings });
  await waitFor((e) => e.event === 'run.checkpoint' && e.payload.runId === runId);
  assert.deepEqual(await call('runs.cancel', { id: runId }), { ok: true });
  const stopped = await waitFor((e) => e.event === 'job.finished' && of(jobId)(e));
  assert.equal(stopped.payload.status, 'interrupted');
  const interrupted = await call('runs.get', { id: runId });
  assert.equal(interrupted.run.status, 'interrupted');
  assert.ok(interrupted.checkpoints.length >= 1);
  assert.deepEqual(await call('runs.cancel', { id: runId }), { ok: false }, 'nothing to cancel');

  const resumed = await call('runs.resume', { id: runId });
  assert.equal(resumed.runId, runId);
  const finished = await waitFor((e) => e.event === 'job.finished' && of(resumed.jobId)(e), 120_000);
  assert.equal(finished.payload.status, 'completed', JSON.stringify(finished.payload));
  const done = await call('runs.get', { id: runId });
  assert.equal(done.run.status, 'completed');
  assert.equal(done.checkpoints.at(-1)!.label, 'done');
  const resumeAgain = await post('/api/runs.resume', { id: runId });
  assert.equal(resumeAgain.status, 409);
});

test('an evaluation job fills its matrix cell by cell over the WebSocket; a repeated request reuses them', async () => {
  const run = (await call('runs.list', {})).find((r) => r.status === 'completed')!;
  const checkpoint = (await call('runs.get', { id: run.id })).checkpoints[0]!.id;
  const request = { models: [{ modelId }, { checkpointId: checkpoint }], datasetIds: [datasetId], maxRecords: 4 };
  const started = await call('evaluations.start', request);
  assert.deepEqual(started.cells.map((c) => [c.checkpointId, c.result]), [[null, null], [checkpoint, null]]);
  const finished = await waitFor((e) => e.event === 'job.finished' && of(started.jobId)(e), 120_000);
  assert.equal(finished.payload.status, 'completed', JSON.stringify(finished.payload));
  const cells = events.filter((e) => e.event === 'evaluation.cell' && of(started.jobId)(e)).map((e) => EVENTS['evaluation.cell'].parse(e.payload));
  assert.deepEqual(cells.map((c) => [c.cellsDone, c.cellsTotal, c.cell.checkpointId, c.cell.result?.recordCount]), [[1, 2, null, 4], [2, 2, checkpoint, 4]]);
  assert.ok(cells.every((c) => c.cell.chance !== null && c.cell.chance > 0 && c.cell.chance < 1));
  const listed = await call('evaluations.list', { runId: run.id });
  assert.deepEqual(listed.map((c) => c.result!.value), cells.map((c) => c.cell.result!.value));
  const again = await call('evaluations.start', request);
  assert.deepEqual(again.cells.map((c) => c.result?.value), cells.map((c) => c.cell.result!.value), 'stored cells come back at once');
  await waitFor((e) => e.event === 'job.finished' && of(again.jobId)(e));
  assert.equal((await call('evaluations.list', { runId: run.id })).length, 2, 'nothing recomputed or duplicated');
  assert.deepEqual(await call('evaluations.cancel', { jobId: again.jobId }), { ok: false }, 'nothing to cancel');
  assert.equal((await post('/api/evaluations.start', { ...request, datasetIds: [999] })).status, 404);

  // Cancelled at once: the job ends 'cancelled' and leaves no partial cell (a new limit = new cells).
  const all = (await call('runs.get', { id: run.id })).checkpoints.map((c) => ({ checkpointId: c.id }));
  const long = await call('evaluations.start', { models: [{ modelId }, ...all], datasetIds: [datasetId], maxRecords: 30 });
  assert.deepEqual(await call('evaluations.cancel', { jobId: long.jobId }), { ok: true });
  const cancelled = await waitFor((e) => e.event === 'job.finished' && of(long.jobId)(e), 120_000);
  assert.equal(cancelled.payload.status, 'cancelled', JSON.stringify(cancelled.payload));
  const kept = await call('evaluations.list', { runId: run.id });
  assert.ok(kept.length < 2 + 1 + all.length, 'the cancelled job did not finish');
  for (const c of kept) assert.ok(c.result && [4, 30].includes(c.result.recordCount), 'only whole cells are stored');
});

test('settings, and every method was exercised', async () => {
  const before = await call('settings.get', {});
  assert.equal(before.backend, 'auto');
  assert.equal(before.encrypted, true, 'the server opened its workspace encrypted');
  assert.deepEqual(await call('settings.set', { threads: 2, hubEndpoint: 'http://127.0.0.1:9/' }), { ok: true });
  const now = await call('settings.get', {});
  assert.equal(now.threads, 2);
  assert.equal(now.hubEndpoint, 'http://127.0.0.1:9');

  // Hub downloads honour the hub.endpoint setting: nothing listens on 127.0.0.1:9, so it fails naming it.
  const dl = await call('hub.download', { repo: 'karpathy/tinyllamas', files: ['stories260K/stories260K.bin'] });
  const failed = await waitFor((e) => e.event === 'download.finished' && of(dl.jobId)(e));
  assert.equal(failed.payload.status, 'failed');
  assert.match(String(failed.payload.error), /127\.0\.0\.1:9/);
  const listed = await call('hub.downloads', {});
  assert.deepEqual(listed.map((d) => [d.id, d.status, d.active]), [[dl.downloadId, 'failed', false]]);
  assert.deepEqual(await call('hub.cancel', { id: dl.downloadId }), { ok: false }, 'nothing to cancel');
  const retry = await call('hub.resume', { id: dl.downloadId });
  assert.equal((await waitFor((e) => e.event === 'download.finished' && of(retry.jobId)(e))).payload.status, 'failed');

  // Deleting: a dataset used by a run is refused (409); an unused dataset, a model, a run and a chat go.
  assert.equal((await post('/api/datasets.delete', { id: datasetId })).status, 409);
  const spare = await call('datasets.import', { path: DATA, name: 'spare' });
  assert.deepEqual(await call('datasets.delete', { id: spare.id }), { ok: true });
  const spareModel = await call('models.import', { path: STORIES_BIN, tokenizer: STORIES_TOK, name: 'spare' });
  assert.deepEqual(await call('models.delete', { id: spareModel.id }), { ok: true });
  const runs = await call('runs.list', {});
  const reportDir = (await call('runs.get', { id: runs[0]!.id })).report.dir;
  assert.ok(reportDir && existsSync(reportDir), 'the run has a report folder under the workspace');
  assert.deepEqual(await call('runs.delete', { id: runs[0]!.id }), { ok: true });
  assert.equal(existsSync(reportDir), false, "the app's report folder of a deleted run goes with it");
  assert.equal((await call('runs.list', {})).length, runs.length - 1);
  const chat = (await call('chats.list', {}))[0]!;
  assert.deepEqual(await call('chats.delete', { chatId: chat.id }), { ok: true });
  assert.ok(!(await call('chats.list', {})).some((c) => c.id === chat.id));

  // Names, the folder browser (data folder and home only), the native dialog (desktop app only), /v1 model names.
  const named = await call('datasets.import', { path: DATA });
  assert.equal(named.name, 'story-qa', 'named after the file, without its extension');
  assert.deepEqual(await call('datasets.rename', { id: named.id, name: 'Clinic exams' }), { ok: true });
  assert.equal((await call('datasets.list', {})).find((d) => d.id === named.id)!.name, 'Clinic exams');
  assert.equal((await post('/api/datasets.rename', { id: named.id, name: '   ' })).status, 400);
  const { dataDir } = await call('settings.get', {});
  const listing = await call('files.browse', { path: dataDir });
  assert.ok(listing.entries.some((e) => e.kind === 'folder'), JSON.stringify(listing.entries));
  assert.ok(listing.roots.some((r) => r.label === 'Data folder'));
  assert.equal((await post('/api/files.browse', { path: '/' })).status, 409, 'outside home and the data folder');
  assert.equal((await post('/api/files.choose', { kind: 'folder' })).status, 409, 'no native dialog in server mode');
  called.add('files.choose'); // exercised: refused as it should be
  const served = await call('server.models', {});
  assert.ok(served.some((m) => m.id === `model-${modelId}` && m.contextTokens === 512), JSON.stringify(served));
  assert.ok(served.some((m) => /^checkpoint-\d+$/.test(m.id) && / · run \d+ · /.test(m.name)));
  // A dataset used by runs: the list says which; deleting it with its runs removes them.
  const used = (await call('datasets.list', {})).find((d) => d.id === datasetId)!;
  assert.ok((used.usedByRuns ?? []).length > 0);
  assert.deepEqual(await call('datasets.delete', { id: datasetId, withRuns: true }), { ok: true });
  assert.ok(!(await call('runs.list', {})).some((r) => used.usedByRuns!.includes(r.id)));

  // Upkeep: VACUUM gives the deleted run's space back; a backup is a database file in <dataDir>/backups.
  const vacuumed = await call('store.vacuum', {});
  assert.ok(vacuumed.bytesAfter > 0 && vacuumed.bytesAfter <= vacuumed.bytesBefore, JSON.stringify(vacuumed));
  const backup = await call('store.backup', {});
  assert.match(backup.path, /backups\/trimllm-[\dT-]+\.db$/);
  assert.ok(backup.bytes > 0);
  assert.deepEqual([...METHOD_NAMES].filter((m) => !called.has(m)), []);
});
