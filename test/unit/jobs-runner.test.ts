// The job runner against fake worker processes: one trim at a time, the utility queue (order, routing, cancel of
// a queued job), cancel files, a worker that dies (its run becomes interrupted), restart after a settings change,
// and close() (a worker that does not stop is killed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventName } from '../../electron/api/contract.ts';
import { closeDatabase, createRun, getRun, importDataset, insertModel, openDatabase, setRunStatus, type Database } from '../../electron/store/index.ts';
import type { WorkerHandle, WorkerHost } from '../../electron/jobs/host.ts';
import type { ChatJobSpec, FromWorker, ToWorker } from '../../electron/jobs/protocol.ts';
import { JobBusyError, JobRunner } from '../../electron/jobs/runner.ts';

/** A fake worker process the test drives by hand. */
class FakeWorker implements WorkerHandle {
  readonly sent: ToWorker[] = [];
  killed = false;
  private readonly messageListeners: ((m: FromWorker) => void)[] = [];
  private readonly exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  private gone = false;
  constructor(readonly name: string, readonly env: Record<string, string>, readonly pid = 4242) {}
  send(m: ToWorker) {
    if (this.gone) return;
    this.sent.push(m);
    if (m.type === 'shutdown') queueMicrotask(() => this.exit(0)); // an idle worker exits when asked
  }
  onMessage(l: (m: FromWorker) => void) {
    this.messageListeners.push(l);
  }
  onExit(l: (code: number | null, signal: string | null) => void) {
    this.exitListeners.push(l);
  }
  kill() {
    this.killed = true;
    this.exit(null, 'SIGKILL');
  }
  reply(m: FromWorker) {
    for (const l of this.messageListeners) l(m);
  }
  exit(code: number | null, signal: string | null = null) {
    if (this.gone) return;
    this.gone = true;
    for (const l of this.exitListeners) l(code, signal);
  }
  /** The start messages received. */
  starts() {
    return this.sent.filter((m): m is Extract<ToWorker, { type: 'start' }> => m.type === 'start');
  }
}

function setup(env: Record<string, string> = {}, trimIdleMs = 10_000) {
  const db = openDatabase(':memory:');
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: { nLayers: 2 } });
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, []);
  const config = { targets: { keptFraction: 0.5, maxEpochs: 4 }, dropsPerEpoch: 1, microBatchSize: 8, accumulationSteps: 1, limits: {} };
  const newRun = () => createRun(db, { modelId, datasetId, config, seed: 0 });
  const workers: FakeWorker[] = [];
  const host: WorkerHost = {
    start(name, e) {
      const w = new FakeWorker(name, e);
      workers.push(w);
      return w;
    },
  };
  const events: { event: EventName; payload: Record<string, unknown> }[] = [];
  const runner = new JobRunner({
    dataDir: '/data', db, host, workerEnv: () => env, stopGraceMs: 50, pollMs: 10_000, trimIdleMs,
    onEvent: (event, payload) => events.push({ event, payload: payload as Record<string, unknown> }),
  });
  return { db, runner, workers, events, newRun };
}

const chat: ChatJobSpec = {
  kind: 'chat', source: { modelId: 1 }, messages: [{ role: 'user', content: 'hi' }], seed: 1,
  sampling: { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxTokens: 4 },
};
const result = { text: 'hello', tokens: 2, promptTokens: 3, reason: 'max_tokens', decodeTokensPerSecond: 10, prefillTokensPerSecond: 20 };

async function finish(db: Database, runner: JobRunner) {
  await runner.close();
  closeDatabase(db);
}

test('one trim at a time: start after ready, events forwarded, job.finished; the idle worker is reused, then retired', async () => {
  const { db, runner, workers, events, newRun } = setup({ TRIMLLM_BACKEND: 'cpu' }, 40);
  const a = newRun();
  const jobId = runner.startTrim(a, 'trim');
  assert.deepEqual(runner.activeTrim(), { jobId, runId: a });
  assert.throws(() => runner.startTrim(newRun(), 'trim'), JobBusyError);
  const w = workers[0]!;
  assert.equal(w.name, 'trim');
  assert.deepEqual(w.env, { TRIMLLM_BACKEND: 'cpu' });
  assert.equal(w.sent.length, 0, 'nothing is sent before the worker is ready');
  assert.equal(events[0]!.event, 'job.progress');
  assert.equal(events[0]!.payload.phase, 'starting');
  w.reply({ type: 'ready', pid: 1 });
  assert.deepEqual(w.starts().map((s) => s.spec), [{ kind: 'trim', runId: a }]);
  w.reply({ type: 'event', jobId, event: 'run.scan', payload: { runId: a, epoch: 0, scores: [] } });
  w.reply({ type: 'finished', jobId, status: 'completed' });
  assert.deepEqual(events.slice(1).map((e) => e.event), ['run.scan', 'job.finished']);
  assert.deepEqual(events.at(-1)!.payload, { jobId, runId: a, status: 'completed' });
  assert.equal(runner.activeTrim(), null);
  const b = newRun();
  const second = runner.startTrim(b, 'resume');
  assert.equal(workers.length, 1, 'the idle trim worker is reused');
  assert.deepEqual(w.starts().map((s) => s.spec), [{ kind: 'trim', runId: a }, { kind: 'resume', runId: b }]);
  w.reply({ type: 'finished', jobId: second, status: 'interrupted' });
  assert.notEqual(w.sent.at(-1)!.type, 'shutdown');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(w.sent.at(-1)!.type, 'shutdown', 'retired after trimIdleMs');
  runner.startTrim(newRun(), 'trim');
  assert.equal(workers.length, 2, 'then a new one starts');
  await finish(db, runner);
});

test('cancel writes the cancel file and sends cancel; a trim worker that dies leaves its run interrupted', async () => {
  const { db, runner, workers, events, newRun } = setup();
  const runId = newRun();
  const jobId = runner.startTrim(runId, 'trim');
  const w = workers[0]!;
  w.reply({ type: 'ready', pid: 1 });
  const cancelFile = w.starts()[0]!.cancelFile;
  assert.equal(existsSync(cancelFile), false);
  assert.equal(runner.cancelRun(runId + 1), false);
  assert.equal(runner.cancelRun(runId), true);
  assert.equal(existsSync(cancelFile), true);
  assert.deepEqual(w.sent.at(-1), { type: 'cancel', jobId });

  setRunStatus(db, runId, 'running'); // what executeRun does first
  w.exit(1);
  assert.equal(getRun(db, runId)!.status, 'interrupted');
  const finished = events.at(-1)!;
  assert.equal(finished.event, 'job.finished');
  assert.equal(finished.payload.status, 'interrupted');
  assert.match(String(finished.payload.error), /exited \(code 1\)/);
  assert.equal(existsSync(cancelFile), false, 'the cancel file is removed');

  const queued = newRun();
  runner.startTrim(queued, 'trim');
  workers[1]!.exit(null, 'SIGSEGV');
  assert.equal(getRun(db, queued)!.status, 'failed', 'a run that never started cannot be resumed');
  await finish(db, runner);
  assert.equal(existsSync(dirname(cancelFile)), false, 'close() removes the cancel folder');
});

test('the utility worker runs generations and tasks one at a time, in order', async () => {
  const { db, runner, workers, events } = setup();
  const seen: string[] = [];
  const handlers = (name: string) => ({
    onDelta: (t: string) => seen.push(`${name}:${t}`),
    onFinished: (status: string, r: unknown) => seen.push(`${name} ${status} ${r ? (r as { text: string }).text : '-'}`),
  });
  const first = runner.generate(chat, handlers('first'));
  const second = runner.generate(chat, handlers('second'));
  const third = runner.generate(chat, handlers('third'));
  const task = runner.runTask<{ id: number }>('import-model', { path: '/x' });
  assert.equal(workers.length, 1);
  const w = workers[0]!;
  w.reply({ type: 'ready', pid: 1 });
  assert.deepEqual(w.starts().map((s) => s.jobId), [first], 'one job at a time');
  w.reply({ type: 'delta', jobId: first, text: 'hel' });
  w.reply({ type: 'delta', jobId: second, text: 'ignored: not the current job' });
  assert.equal(runner.cancel(second), true, 'a queued job is cancelled at once');
  w.reply({ type: 'finished', jobId: first, status: 'completed', result });
  assert.deepEqual(w.starts().map((s) => s.jobId), [first, third]);
  w.reply({ type: 'finished', jobId: third, status: 'completed', result });
  w.reply({ type: 'finished', jobId: w.starts()[2]!.jobId, status: 'completed', result: { id: 7 } });
  assert.deepEqual(await task, { id: 7 });
  assert.deepEqual(seen, ['first:hel', 'second cancelled -', 'first completed hello', 'third completed hello']);
  assert.deepEqual(events.map((e) => `${e.event} ${e.payload.status}`), ['job.finished cancelled', 'job.finished completed', 'job.finished completed']);

  const failing = runner.runTask('import-data', { path: '/nope' });
  w.reply({ type: 'finished', jobId: w.starts()[3]!.jobId, status: 'failed', error: { name: 'InputFileError', message: '/nope: no such file' } });
  await assert.rejects(failing, { name: 'InputFileError', message: '/nope: no such file' });
  assert.equal(runner.cancel('no-such-job'), false);
  await finish(db, runner);
});

test('a utility worker that dies fails its job; the next job gets a new worker; settings restart it', async () => {
  const { db, runner, workers } = setup();
  const lost = runner.runTask('doctor', {});
  workers[0]!.reply({ type: 'ready', pid: 1 });
  workers[0]!.exit(null, 'SIGKILL');
  await assert.rejects(lost, { name: 'WorkerExitError' });
  const next = runner.runTask<string>('doctor', {});
  assert.equal(workers.length, 2);
  workers[1]!.reply({ type: 'ready', pid: 2 });
  workers[1]!.reply({ type: 'finished', jobId: workers[1]!.starts()[0]!.jobId, status: 'completed', result: 'ok' });
  assert.equal(await next, 'ok');
  runner.restartWorkers();
  assert.equal(workers[1]!.sent.at(-1)!.type, 'shutdown', 'an idle utility worker is retired at once');
  workers[1]!.exit(0);
  runner.runTask('doctor', {}).catch(() => {}); // cancelled by close() below
  assert.equal(workers.length, 3, 'the next job starts a fresh worker (with the new settings)');
  await finish(db, runner);
});

test('close() cancels everything; a trim worker that does not stop is killed', async () => {
  const { db, runner, workers, events, newRun } = setup();
  const runId = newRun();
  runner.startTrim(runId, 'trim');
  workers[0]!.reply({ type: 'ready', pid: 1 });
  setRunStatus(db, runId, 'running');
  const running = runner.generate(chat, { onDelta: () => {}, onFinished: () => {} });
  const queued = runner.runTask('doctor', {});
  workers[1]!.reply({ type: 'ready', pid: 2 });
  const utility = workers[1]!;
  const closing = runner.close();
  await assert.rejects(queued, { name: 'JobCancelledError' });
  assert.ok(utility.sent.some((m) => m.type === 'cancel' && m.jobId === running));
  assert.equal(utility.sent.at(-1)!.type, 'shutdown');
  utility.exit(0);
  await closing; // the trim worker ignored its cancel for stopGraceMs
  assert.equal(workers[0]!.killed, true);
  assert.equal(getRun(db, runId)!.status, 'interrupted');
  assert.ok(events.some((e) => e.event === 'job.finished' && e.payload.jobId === running && e.payload.status === 'cancelled'));
  assert.throws(() => runner.startTrim(newRun(), 'trim'), /closed/);
  assert.throws(() => runner.generate(chat, { onDelta: () => {}, onFinished: () => {} }), /closed/);
  closeDatabase(db);
});
