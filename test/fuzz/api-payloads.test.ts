// Fuzz: API payloads (electron/api/contract.ts) for every method — junk and near-valid requests (a valid request
// with fields replaced by junk, deleted, duplicated or wrapped, extra keys). (1) The schema rejects each invalid
// payload with a ZodError whose issues name the field; 10,000 cases per method. (2) Through the real HTTP server
// (POST /api/<method>): 2,500 invalid payloads and raw bodies (not JSON, wrong type) across the methods are
// answered 400/415 with a JSON {name, message}, never 500, and the server keeps answering. (3) Through the
// Electron IPC handler (handleCall): every invalid payload is a {ok: false} ValidationError, never a throw.
// Valid payloads are never sent to the server or the IPC service (they would start real work).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ZodError } from 'zod';
import { METHOD_NAMES, METHODS, type Method } from '../../electron/api/contract.ts';
import { startServer, type RunningServer } from '../../electron/server/index.ts';
import { handleCall } from '../../electron/main/ipc.ts';
import { fieldIssues } from '../../electron/server/api-routes.ts';
import { describeError, fuzz, jsonJunk, mutatedJson, RUNS } from './harness.ts';
import { setWorkspaceAccess } from '../../electron/store/index.ts';
import { TEST_DB_KEY } from '../helpers/shared.ts';

setWorkspaceAccess({ key: TEST_DB_KEY }); // the server opens an encrypted workspace with the tests' key

/** Valid requests of methods with fields beyond an id (ids refer to nothing; paths to nothing). */
const EXAMPLES: Partial<Record<string, Record<string, unknown>>> = {
  'system.doctor': {}, 'models.list': {}, 'datasets.list': {}, 'runs.list': {}, 'chats.list': {}, 'settings.get': {},
  'models.import': { path: '/nowhere/model.bin', tokenizer: '/nowhere/tok.bin', name: 'm' },
  'models.inspect': { id: 1 },
  'datasets.preview': { path: '/nowhere/data.jsonl', task: 'mcq', map: 'question=q' },
  'datasets.import': { path: '/nowhere/data.jsonl', task: 'text', map: 'text=t', name: 'd' },
  'runs.get': { id: 1 }, 'runs.resume': { id: 1 }, 'runs.cancel': { id: 1 },
  'runs.start': { modelId: 1, datasetId: 1, settings: { target: 0.5, sparseRatio: 0.25, baselines: ['random'], lr: 1e-3 } },
  'runs.estimate': { modelId: 1, datasetId: 1, settings: { target: 0.5, sparseRatio: 0.25, baselines: ['random'], lr: 1e-3 } },
  'chats.create': { title: 't', modelId: 1, sampling: { temperature: 0.7, topK: 0, topP: 0.9, maxTokens: 10 } },
  'chats.messages': { chatId: 1 },
  'chats.send': { chatId: 1, content: 'hi', sampling: { temperature: 0 } },
  'chats.regenerate': { chatId: 1 },
  'chats.stop': { jobId: 'j' },
  'settings.set': { backend: 'wasm', threads: 2, hubEndpoint: 'https://huggingface.co' },
  'runs.report': { id: 1, file: 'report.md' },
  'checkpoints.export': { id: 1, format: 'gguf', dtype: 'Q8_0', destination: '/nowhere/export', name: 'm' },
  'hub.download': { repo: 'karpathy/tinyllamas', files: ['stories260K/stories260K.bin'], revision: 'main' },
  'chats.editMessage': { chatId: 1, messageId: 2, content: 'hi', sampling: { topK: 3 } },
  'evaluations.start': { models: [{ modelId: 1 }, { checkpointId: 2 }], datasetIds: [1, 2], split: 'test', maxRecords: 100 },
  'evaluations.list': { runId: 1 },
  'datasets.rename': { id: 1, name: 'd' },
  'files.choose': { kind: 'folder' },
};
/** Shapes most methods take; the first one valid for a method without an example is its example. */
const COMMON = [{}, { id: 1 }, { chatId: 1 }, { jobId: 'j' }, { id: 'j' }];
/** A valid request of every method of the contract (methods added later find theirs in COMMON). */
const VALID = Object.fromEntries(
  METHOD_NAMES.map((m) => [m, [EXAMPLES[m], ...COMMON].find((c) => c !== undefined && METHODS[m].request.safeParse(c).success)]),
) as Record<Method, Record<string, unknown> | undefined>;

/** Near-valid and junk payloads for one method. */
const payloadOf = (method: Method): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: mutatedJson([VALID[method] ?? {}]).map((text) => JSON.parse(text) as unknown) },
    { weight: 2, arbitrary: fc.record({ base: fc.constant(VALID[method] ?? {}), key: fc.string({ maxLength: 8 }), value: jsonJunk }).map(({ base, key, value }) => ({ ...base, [key]: value })) },
    { weight: 1, arbitrary: jsonJunk },
  );
const isValid = (method: Method, payload: unknown) => METHODS[method].request.safeParse(payload).success;

test('fuzz: every method\'s schema rejects invalid payloads with issues naming the field', { timeout: 170_000 }, async (t) => {
  const missing = METHOD_NAMES.filter((m) => VALID[m] === undefined);
  assert.deepEqual(missing, [], 'every method has a valid example to mutate (add one to EXAMPLES)');
  for (const method of METHOD_NAMES) {
    await fuzz(t, payloadOf(method), (payload) => METHODS[method].request.parse(payload), (e, payload) => {
      if (!(e instanceof ZodError)) return `${method}: expected ZodError, got ${describeError(e)}`;
      const issues = fieldIssues(e);
      // The field is named (an empty key as ""), or the payload itself is not an object.
      const bodyItself = typeof payload !== 'object' || payload === null || Array.isArray(payload);
      const named = issues.every((i) => i.message !== '' && (i.field !== '' || bodyItself));
      return named ? null : `${method}: an issue names no field: ${JSON.stringify(issues)}`;
    });
  }
});

let server: RunningServer;
before(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trimllm-fuzz-api-'));
  server = await startServer({ dataDir, staticDir: join(dataDir, 'no-ui'), log: () => {} });
});
after(() => server.close());

/** HTTP cases: a quarter of RUNS (each is a real request, ~5 ms on 2 cores); the schema test covers RUNS per method. */
const HTTP_RUNS = Math.ceil(RUNS / 4);

/** An HTTP case: a method and either an invalid JSON payload or a raw body with a content type. */
const httpCase = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...METHOD_NAMES).chain((method) => payloadOf(method).map((payload) => ({ method, body: JSON.stringify(payload) ?? 'null', type: 'application/json' }))) },
  { weight: 1, arbitrary: fc.record({ method: fc.constantFrom(...METHOD_NAMES), body: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), type: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded') }) },
);

test('fuzz: the HTTP API answers invalid payloads 400/415 with a JSON error, never 500', { timeout: 170_000 }, async (t) => {
  const statuses = new Map<number, number>();
  await fuzz(
    t,
    httpCase.filter(({ method, body, type }) => {
      if (type !== 'application/json' || body.trim() === '') return type !== 'application/json' && body.trim() !== '';
      try {
        return !isValid(method, JSON.parse(body));
      } catch {
        return true;
      }
    }),
    async ({ method, body, type }) => {
      const r = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': type }, body });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const json = (await r.json()) as { name?: unknown; message?: unknown };
      assert.ok(r.status === 400 || r.status === 415, `${method} ${type} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(json)}`);
      assert.ok(typeof json.name === 'string' && typeof json.message === 'string' && json.message.length > 0);
    },
    (e) => `unexpected: ${describeError(e)}`,
    { runs: HTTP_RUNS },
  );
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  const health = await fetch(`${server.url}/api/settings.get`, { method: 'POST', headers: { authorization: `Bearer ${server.token}` } });
  assert.equal(health.status, 200, 'the server still answers');
});

test('fuzz: the Electron IPC handler answers invalid payloads with a ValidationError, never a throw', { timeout: 170_000 }, async (t) => {
  const event = { senderFrame: { url: 'app://trimllm/index.html', parent: null } };
  const service = { call: () => Promise.reject(new Error('a valid payload reached the service')) };
  const arb = fc.constantFrom(...METHOD_NAMES).chain((method) => payloadOf(method).map((payload) => ({ method, payload }))).filter(({ method, payload }) => !isValid(method, payload));
  await fuzz(t, arb, async ({ method, payload }) => {
    const r = await handleCall(event as never, method, payload, service as never);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error.name === 'ValidationError' && r.error.message.includes(method), JSON.stringify(r));
  }, (e) => `handleCall threw: ${describeError(e)}`);
});
