/**
 * Development mock of `trimllm serve` (not shipped): the contract's HTTP + WebSocket API with fixed data, a
 * simulated live trim run and streamed chat answers, so the renderer can be developed and screenshotted without
 * the engine. Requests are validated with the real contract (400 + zod issues, like the server).
 *
 *   npx tsx renderer/dev/mock-server.ts [--port 8787] [--dist renderer/dist] [--empty]
 *   then open http://127.0.0.1:8787/#token=dev-token   (or `npm run dev:ui` → Vite proxies /api here)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isMethod, parseRequest, type Method } from '../../electron/api/contract.ts';
import { AUTH_MESSAGE, READY_MESSAGE, UNAUTHORIZED_CLOSE } from '../../electron/api/event-socket-auth.ts';
import { CANNED_ANSWERS, DATASETS, MODELS, PREVIEW, TOKEN, entryFor, maskIndex, modelSummary, pickDrop, rng, scanScores, sharedBytes, subLayers } from './fixtures.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const PORT = Number(arg('--port', '8787'));
const DIST = resolve(arg('--dist', 'renderer/dist'));
const EMPTY = args.includes('--empty');

type Json = Record<string, unknown>;
interface Run { id: number; modelId: number; datasetId: number; status: string; backend: string | null; createdAt: number; error: string | null; config: Json; checkpoints: Json[]; events: Json[]; scans: Json[]; timer?: ReturnType<typeof setInterval> }
const sockets = new Set<WebSocket>();
const emit = (event: string, payload: unknown) => { for (const s of sockets) s.send(JSON.stringify({ event, payload })); };
const now = () => Date.now() / 1000;
let nextCheckpoint = 1;
let nextJob = 1;

const runs: Run[] = [];
const chats: { id: number; title: string; checkpointId: number | null; modelId: number | null; updatedAt: number; messages: Json[] }[] = [];
let nextMessage = 1;
const settings = { backend: 'auto', threads: 8, dataDir: '/home/user/.trimllm', hubEndpoint: 'https://huggingface.co', encrypted: true };

function newRun(modelId: number, config: Json, status: string): Run {
  const run: Run = { id: runs.length + 1, modelId, datasetId: 1, status, backend: 'wasm', createdAt: now() - 3600 * (3 - runs.length), error: null, config, checkpoints: [], events: [], scans: [] };
  runs.push(run);
  return run;
}

/** Advances a run by one epoch: training steps, a scan, a drop, a checkpoint. */
function epochOf(run: Run, keep: boolean[], epoch: number, live: boolean) {
  const m = MODELS.find((x) => x.id === run.modelId)!;
  const r = rng(run.id * 100 + epoch);
  const step0 = run.events.length;
  for (let i = 0; i < 25; i++) run.events.push({ step: step0 + i + 1, epoch, loss: 3.2 * Math.exp(-(step0 + i) / 60) + 0.9 + 0.15 * r() + 0.05 * keep.filter((k) => !k).length, lr: 1e-3, tokensPerSecond: 5000 });
  const scores = scanScores(keep, run.id * 7 + epoch);
  run.scans.push({ scan: run.scans.length, step: step0 + 25, scores });
  if (live) emit('run.scan', { runId: run.id, epoch, scores });
  const drop = pickDrop(scores);
  keep[maskIndex(drop)] = false;
  const perf = Math.max(0.2, 0.62 - 0.035 * keep.filter((k) => !k).length + 0.03 * r());
  const cp = { id: nextCheckpoint++, label: `epoch ${epoch}`, step: step0 + 25, epoch, keepMask: [...keep], paramBytes: 0, metrics: { state: { epochsDone: epoch }, entry: entryFor(m, `trimllm epoch ${epoch} (${keep.filter(Boolean).length}/${keep.length})`, 'trimllm', keep, perf) } };
  cp.paramBytes = (cp.metrics.entry as { paramBytes: number }).paramBytes;
  run.checkpoints.push(cp);
  if (live) emit('run.checkpoint', { runId: run.id, checkpointId: cp.id, label: cp.label, keepMask: cp.keepMask, performance: perf });
}

function seed() {
  const done = newRun(1, { method: 'both', sparseRatio: 0.25, dropsPerEpoch: 1, targets: { keptFraction: 0.5, maxEpochs: 20 }, lr: 1e-3, calibrationSize: 48, baselines: ['full-finetune', 'random', 'top', 'bottom'] }, 'completed');
  const m = MODELS[0];
  const full = new Array(10).fill(true);
  const base = { id: nextCheckpoint++, label: 'base', step: 0, epoch: 0, keepMask: full, paramBytes: 0, metrics: { entry: entryFor(m, 'base', 'base', full, 0.41) } };
  done.checkpoints.push(base);
  const keep = [...full];
  for (let e = 1; e <= 5; e++) epochOf(done, keep, e, false);
  const mk = (label: string, kind: string, mask: boolean[], p: number) => ({ id: nextCheckpoint++, label, step: 999, epoch: 5, keepMask: mask, paramBytes: 0, metrics: { entry: entryFor(m, label, kind, mask, p) } });
  const healed = mk('heal 1', 'trimllm', [...keep], 0.55);
  healed.step = 150;
  healed.epoch = 6;
  (healed.metrics as Json).phase = 'heal';
  done.checkpoints.push(healed, { id: nextCheckpoint++, label: 'done', step: 151, epoch: 6, keepMask: [...keep], paramBytes: 0, metrics: { entry: null, phase: 'done', stopReason: 'kept_fraction', validation: 0.52 } });
  done.checkpoints.push(mk('full fine-tune', 'full-finetune', full, 0.63));
  done.checkpoints.push(mk('random 50% + fine-tune', 'baseline-random', [true, false, true, true, false, false, true, false, true, false], 0.44));
  done.checkpoints.push(mk('top 50% + fine-tune', 'baseline-top', [true, true, true, true, true, false, false, false, false, false], 0.47));
  done.checkpoints.push(mk('bottom 50% + fine-tune', 'baseline-bottom', [false, false, false, false, false, true, true, true, true, true], 0.39));
  const failed = newRun(3, { method: 'both', targets: { keptFraction: 0.5 } }, 'failed');
  failed.error = 'out of memory while allocating the AdamW state (2.1 GiB); lower the batch size or the sparse update ratio';
  startLive(newRun(2, { method: 'both', sparseRatio: 0.25, dropsPerEpoch: 1, targets: { keptFraction: 0.5, maxEpochs: 12 }, lr: 1e-3, calibrationSize: 48, baselines: [] }, 'running'), 3);
  chats.push({ id: 1, title: 'Run 1 · epoch 5', checkpointId: 6, modelId: null, updatedAt: now() - 600, messages: [
    { id: nextMessage++, role: 'user', content: 'Tell me a story about a red ball.', stats: null },
    { id: nextMessage++, role: 'assistant', content: CANNED_ANSWERS[0], stats: { tokens: 52, decodeTokensPerSecond: 1420.5, reason: 'eos' } },
  ] });
}

/** Simulates a running run: progress events, an epoch every 25 ticks. */
function startLive(run: Run, preEpochs: number) {
  const m = MODELS.find((x) => x.id === run.modelId)!;
  const keep = run.checkpoints.length ? [...(run.checkpoints.at(-1)!.keepMask as boolean[])] : new Array(2 * m.nLayers).fill(true);
  let epoch = run.checkpoints.length;
  for (let e = 0; e < preEpochs; e++) epochOf(run, keep, ++epoch, false);
  const jobId = `job-${nextJob++}`;
  let tick = 0;
  run.status = 'running';
  run.timer = setInterval(() => {
    tick++;
    const done = tick % 25;
    emit('job.progress', { jobId, runId: run.id, phase: 'fine-tune', epoch: epoch + 1, done, total: 25, loss: 1.2 + 0.2 * Math.random(), etaSeconds: (25 - done) * 0.4 + 10 * (keep.length / 2 - keep.filter((k) => !k).length), message: `training ${keep.filter(Boolean).length}/${keep.length} sub-layers` });
    if (done === 0) {
      epochOf(run, keep, ++epoch, true);
      if (keep.filter(Boolean).length <= keep.length / 2) {
        clearInterval(run.timer);
        run.status = 'completed';
        emit('job.finished', { jobId, runId: run.id, status: 'completed' });
      }
    }
  }, 400);
  return jobId;
}

function streamAnswer(chat: (typeof chats)[number], jobId: string) {
  const text = CANNED_ANSWERS[chat.messages.length % CANNED_ANSWERS.length];
  const words = text.split(/(?<= )/);
  let i = 0;
  const timer = setInterval(() => {
    if (i < words.length && !stopped.has(jobId)) {
      emit('chat.delta', { jobId, chatId: chat.id, text: words[i++] });
      return;
    }
    clearInterval(timer);
    const content = words.slice(0, i).join('');
    const stats = { tokens: i * 2, decodeTokensPerSecond: 1380 + 80 * Math.random(), reason: stopped.has(jobId) ? 'stopped' : 'eos' };
    const id = nextMessage++;
    chat.messages.push({ id, role: 'assistant', content, stats });
    chat.updatedAt = now();
    emit('chat.done', { jobId, chatId: chat.id, messageId: id, ...stats });
  }, 60);
}
const stopped = new Set<string>();

class HttpError extends Error {
  constructor(readonly status: number, name: string, message: string) {
    super(message);
    this.name = name;
  }
}
const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new HttpError(404, 'NotFoundError', `${what} does not exist`);
  return v;
};

function handle(method: Method, req: Json): unknown {
  switch (method) {
    case 'system.doctor':
      return { backend: 'wasm', skipped: { tensorflow: 'tfjs-node is not installed (libtensorflow could not be downloaded)', 'tensorflow-gpu': 'no CUDA device found' }, versions: { node: process.versions.node, tfjs: '4.22.0', 'tfjs-backend-wasm': '4.22.0', app: '0.1.0' }, threads: settings.threads, dataDir: settings.dataDir };
    case 'settings.get':
      return settings;
    case 'settings.set':
      Object.assign(settings, req);
      return { ok: true };
    case 'models.list':
      return EMPTY ? [] : MODELS.map(modelSummary);
    case 'models.import':
      if (!String(req.path).includes('stories')) throw new HttpError(400, 'ModelFormatError', `${req.path}: no config.json or llama2.c .bin found (a PyTorch .bin pickle is refused: it can run code)`);
      return modelSummary(MODELS[0]);
    case 'models.inspect': {
      const m = need(MODELS.find((x) => x.id === req.id), `model ${req.id}`);
      const subs = subLayers(m.nLayers, m.dims[0], m.dims[1], m.dims[2]);
      return { config: { architecture: m.architecture, dim: m.dims[0], hiddenDim: m.dims[2], nLayers: m.nLayers, nHeads: 8, nKvHeads: 4, vocabSize: m.vocab, maxSeqLen: 512, tiedEmbeddings: true }, subLayers: subs, sharedBytes: sharedBytes(m), totalBytes: sharedBytes(m) + subs.reduce((a, s) => a + s.bytes, 0) };
    }
    case 'datasets.list':
      return EMPTY ? [] : DATASETS;
    case 'datasets.preview':
      return { ...PREVIEW, taskType: req.task ?? PREVIEW.taskType };
    case 'datasets.import':
      return { ...DATASETS[0], name: (req.name as string) || 'story-qa' };
    case 'runs.list':
      return EMPTY ? [] : runs.map(({ checkpoints: _c, events: _e, scans: _s, timer: _t, ...r }) => r);
    case 'runs.get': {
      const run = need(runs.find((r) => r.id === req.id), `run ${req.id}`);
      const { checkpoints, events, scans, timer: _t, ...summary } = run;
      return { run: summary, checkpoints, events, scans, nLayers: MODELS.find((m) => m.id === run.modelId)!.nLayers, comparison: [], report: { dir: null, files: [] } };
    }
    case 'runs.start': {
      const run = newRun(req.modelId as number, req.settings as Json, 'queued');
      run.createdAt = now();
      return { runId: run.id, jobId: startLive(run, 0) };
    }
    case 'runs.resume': {
      const run = need(runs.find((r) => r.id === req.id), `run ${req.id}`);
      if (run.status !== 'interrupted') throw new HttpError(409, 'ConflictError', `run ${run.id} is ${run.status}; only an interrupted run can be resumed`);
      run.error = null;
      return { runId: run.id, jobId: startLive(run, 0) };
    }
    case 'runs.cancel': {
      const run = need(runs.find((r) => r.id === req.id), `run ${req.id}`);
      clearInterval(run.timer);
      run.status = 'interrupted'; // as the real runner: a cancelled job stops at its last checkpoint
      emit('job.finished', { jobId: 'job-x', runId: run.id, status: 'interrupted' });
      return { ok: true };
    }
    case 'chats.list':
      return chats.map(({ messages: _m, ...c }) => c);
    case 'chats.create': {
      const id = chats.length + 1;
      chats.push({ id, title: (req.title as string) ?? `Chat ${id}`, checkpointId: (req.checkpointId as number) ?? null, modelId: (req.modelId as number) ?? null, updatedAt: now(), messages: [] });
      return { id };
    }
    case 'chats.messages':
      return need(chats.find((c) => c.id === req.chatId), `chat ${req.chatId}`).messages;
    case 'chats.send': {
      const chat = need(chats.find((c) => c.id === req.chatId), `chat ${req.chatId}`);
      const userMessageId = nextMessage++;
      chat.messages.push({ id: userMessageId, role: 'user', content: req.content, stats: null });
      const jobId = `job-${nextJob++}`;
      setTimeout(() => streamAnswer(chat, jobId), 150);
      return { jobId, userMessageId };
    }
    case 'chats.regenerate': {
      const chat = need(chats.find((c) => c.id === req.chatId), `chat ${req.chatId}`);
      if (chat.messages.at(-1)?.role === 'assistant') chat.messages.pop();
      const jobId = `job-${nextJob++}`;
      setTimeout(() => streamAnswer(chat, jobId), 150);
      return { jobId };
    }
    case 'chats.editMessage': {
      const chat = need(chats.find((c) => c.id === req.chatId), `chat ${req.chatId}`);
      const at = chat.messages.findIndex((m) => m.id === req.messageId);
      const removed = chat.messages.length - at - 1;
      chat.messages.splice(at, chat.messages.length, { ...chat.messages[at], content: req.content });
      const jobId = `job-${nextJob++}`;
      setTimeout(() => streamAnswer(chat, jobId), 150);
      return { jobId, removed };
    }
    case 'chats.delete': {
      const at = chats.findIndex((c) => c.id === req.chatId);
      if (at >= 0) chats.splice(at, 1);
      return { ok: at >= 0 };
    }
    case 'hub.downloads':
      return [];
    case 'chats.stop':
      stopped.add(req.jobId as string);
      return { ok: true };
    default:
      throw new HttpError(501, 'NotImplemented', `the mock server does not implement ${method}`);
  }
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

async function serveStatic(url: string, res: ServerResponse) {
  const path = normalize(join(DIST, url === '/' ? 'index.html' : decodeURIComponent(url.split('?')[0])));
  if (!path.startsWith(DIST)) return void res.writeHead(403).end();
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end('not found (build the UI first: npm run build:ui)');
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => ok(s));
  });
}

const server = createServer(async (req, res) => {
  const url = req.url ?? '/';
  if (!url.startsWith('/api/')) return serveStatic(url, res);
  const send = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { name: 'UnauthorizedError', message: 'missing or wrong token' });
  const method = url.slice(5);
  if (req.method !== 'POST' || !isMethod(method)) return send(404, { name: 'NotFoundError', message: `no method ${method}` });
  try {
    const parsed = parseRequest(method, JSON.parse((await readBody(req)) || '{}')) as Json;
    await new Promise((r) => setTimeout(r, 80));
    send(200, handle(method, parsed));
  } catch (e) {
    const err = e as Error & { status?: number; issues?: unknown };
    if (err.name === 'ZodError') {
      const issues = (err.issues as { path: unknown[]; message: string }[]).map((i) => ({ field: i.path.join('.'), message: i.message }));
      return send(400, { name: 'ValidationError', message: `invalid request for ${method}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues });
    }
    send(err.status ?? 500, { name: err.name, message: err.message });
  }
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const u = new URL(req.url ?? '/', 'http://x');
  if (u.pathname !== '/api/events' || u.searchParams.has('token')) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    // As the real server (electron/server/ws.ts): the token in the first message, then "ready" and the events.
    ws.once('message', (data) => {
      const auth = AUTH_MESSAGE.safeParse(JSON.parse(String(data)));
      if (!auth.success || auth.data.token !== TOKEN) return ws.close(UNAUTHORIZED_CLOSE, 'unauthorized');
      sockets.add(ws);
      ws.send(JSON.stringify(READY_MESSAGE));
    });
    ws.on('close', () => sockets.delete(ws));
  });
});

if (!EMPTY) seed();
server.listen(PORT, '127.0.0.1', () => console.log(`mock trimllm server: http://127.0.0.1:${PORT}/#token=${TOKEN}`));
