// The typed IPC channel: the preload's allow-list and bridge, the main-process handler (sender check, method
// allow-list, zod validation, errors as name + message) and event forwarding, against fake Electron objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_NAMES, METHOD_NAMES } from '../../electron/api/contract.ts';
import { ALLOWED_EVENTS, ALLOWED_METHODS, CALL_CHANNEL, EVENT_CHANNEL } from '../../electron/preload/channels.ts';
import { createBridge, isAllowedEvent, isAllowedMethod, type IpcRendererLike } from '../../electron/preload/bridge.ts';
import { forwardEvents, handleCall, registerIpc, type EventTarget } from '../../electron/main/ipc.ts';
import type { ApiService } from '../../electron/main/service.ts';

const APP_FRAME = { senderFrame: { url: 'app://trimllm/index.html', parent: null } };

/** A fake ipcRenderer recording what is sent. */
function fakeIpcRenderer(reply: (method: unknown, request: unknown) => unknown = () => ({ ok: true, value: 1 })) {
  const invokes: unknown[][] = [];
  const listeners = new Set<(event: unknown, message: unknown) => void>();
  const ipc: IpcRendererLike = {
    invoke: async (...args) => {
      invokes.push(args);
      return reply(args[1], args[2]);
    },
    on: (_channel, l) => listeners.add(l),
    removeListener: (_channel, l) => listeners.delete(l),
  };
  const push = (message: unknown): void => {
    for (const l of listeners) l({ sender: 'secret' }, message);
  };
  return { ipc, invokes, listeners, push };
}

/** A fake service recording calls; `impl` answers them. */
function fakeService(impl: (method: string, request: unknown) => unknown = () => 'value') {
  const calls: [string, unknown][] = [];
  const subscribed = new Map<string, (payload: unknown) => void>();
  const service = {
    async call(method: string, request: unknown) {
      calls.push([method, request]);
      return impl(method, request);
    },
    on(event: string, listener: (payload: unknown) => void) {
      subscribed.set(event, listener);
      return () => subscribed.delete(event);
    },
    async close() {},
  } as unknown as ApiService;
  return { service, calls, subscribed };
}

test('preload allow-lists equal the contract (methods and events)', () => {
  assert.deepEqual([...ALLOWED_METHODS].sort(), [...METHOD_NAMES].sort());
  assert.deepEqual([...ALLOWED_EVENTS].sort(), [...EVENT_NAMES].sort());
  for (const m of METHOD_NAMES) assert.equal(isAllowedMethod(m), true, m);
  for (const e of EVENT_NAMES) assert.equal(isAllowedEvent(e), true, e);
  for (const bad of ['fs.readFile', 'constructor', '__proto__', 'toString', 'models', '', 'job.progress', 42, null]) {
    assert.equal(isAllowedMethod(bad), false, String(bad));
  }
  for (const bad of ['models.list', 'ipc.raw', '__proto__', undefined]) assert.equal(isAllowedEvent(bad), false, String(bad));
});

test('preload call: a known method is invoked on the call channel and unwrapped', async () => {
  const { ipc, invokes } = fakeIpcRenderer(() => ({ ok: true, value: [{ id: 1 }] }));
  const bridge = createBridge(ipc);
  assert.deepEqual(await bridge.call('models.list', {}), [{ id: 1 }]);
  assert.deepEqual(invokes, [[CALL_CHANNEL, 'models.list', {}]]);
});

test('preload call: an unknown method is refused before any IPC', async () => {
  const { ipc, invokes } = fakeIpcRenderer();
  const bridge = createBridge(ipc);
  for (const bad of ['fs.readFile', '__proto__', 'job.progress']) {
    await assert.rejects(bridge.call(bad, {}), { name: 'UnknownMethod', message: `"${bad}" is not a TrimLLM API method` });
  }
  assert.equal(invokes.length, 0);
});

test('preload call: a failure rejects with a plain {name, message} (what contextBridge copies intact)', async () => {
  const { ipc } = fakeIpcRenderer(() => ({ ok: false, error: { name: 'NotFoundError', message: 'run 9 not found' } }));
  await assert.rejects(createBridge(ipc).call('runs.get', { id: 9 }), (e: unknown) => {
    assert.deepEqual(e, { name: 'NotFoundError', message: 'run 9 not found' });
    assert.equal(Object.getPrototypeOf(e), Object.prototype);
    return true;
  });
  const malformed = fakeIpcRenderer(() => 'oops');
  await assert.rejects(createBridge(malformed.ipc).call('runs.list', {}), { name: 'ProtocolError' });
});

test('preload on: allow-listed events only, payload only, unsubscribe works', () => {
  const { ipc, listeners, push } = fakeIpcRenderer();
  const bridge = createBridge(ipc);
  assert.throws(() => bridge.on('models.list', () => {}), /UnknownEvent/);
  assert.throws(() => bridge.on('anything', () => {}), /UnknownEvent/);
  assert.equal(listeners.size, 0);
  const got: unknown[] = [];
  const off = bridge.on('job.progress', (p) => got.push(p));
  push({ event: 'job.progress', payload: { done: 1 } });
  push({ event: 'chat.delta', payload: { text: 'x' } });
  push(null);
  assert.deepEqual(got, [{ done: 1 }], 'only its event, only the payload (never the IPC event / sender)');
  off();
  assert.equal(listeners.size, 0);
  push({ event: 'job.progress', payload: { done: 2 } });
  assert.equal(got.length, 1);
});

test('handler: a sender frame that is not the app page is rejected before anything runs', async () => {
  const { service, calls } = fakeService();
  const frames = [
    null,
    { url: 'https://example.com/', parent: null },
    { url: 'file:///home/u/renderer/dist/index.html', parent: null },
    { url: 'app://other/index.html', parent: null },
    { url: 'app://trimllm/index.html', parent: { url: 'app://trimllm/index.html' } },
  ];
  for (const senderFrame of frames) {
    const r = await handleCall({ senderFrame }, 'models.list', {}, service);
    assert.deepEqual(r, { ok: false, error: { name: 'UntrustedSender', message: "calls are accepted only from the app's own page" } });
  }
  assert.equal(calls.length, 0);
});

test('handler: an unknown method is rejected', async () => {
  const { service, calls } = fakeService();
  for (const method of ['fs.readFile', '__proto__', 'hasOwnProperty', 7, undefined]) {
    const r = await handleCall(APP_FRAME, method, {}, service);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.name, 'UnknownMethod', String(method));
  }
  assert.equal(calls.length, 0);
});

test('handler: an invalid payload is rejected naming the zod issue', async () => {
  const { service, calls } = fakeService();
  const wrongType = await handleCall(APP_FRAME, 'models.import', { path: 3 }, service);
  assert.equal(wrongType.ok, false);
  if (!wrongType.ok) {
    assert.equal(wrongType.error.name, 'ValidationError');
    assert.match(wrongType.error.message, /^invalid request for models\.import: path: .*expected string/);
  }
  const nested = await handleCall(APP_FRAME, 'runs.start', { modelId: 1, datasetId: 1, settings: { target: 2 } }, service);
  assert.match(!nested.ok ? nested.error.message : '', /settings\.target: /);
  const extra = await handleCall(APP_FRAME, 'models.list', { evil: true }, service);
  assert.match(!extra.ok ? extra.error.message : '', /evil/);
  const missing = await handleCall(APP_FRAME, 'runs.get', undefined, service);
  assert.equal(!missing.ok && missing.error.name, 'ValidationError');
  assert.equal(calls.length, 0);
});

test('handler: a valid call reaches the service with the parsed request and returns {ok, value}', async () => {
  const { service, calls } = fakeService((method) => ({ answered: method }));
  const r = await handleCall(APP_FRAME, 'runs.start', { modelId: 1, datasetId: 2, settings: { target: 0.5 } }, service);
  assert.deepEqual(r, { ok: true, value: { answered: 'runs.start' } });
  assert.equal(calls.length, 1);
  const [method, request] = calls[0];
  assert.equal(method, 'runs.start');
  const settings = (request as { settings: Record<string, unknown> }).settings;
  assert.equal(settings.target, 0.5);
  assert.equal(settings.method, 'both', 'defaults applied by the contract');
});

test('handler: a throwing service crosses as {name, message} only, no stack', async () => {
  class NotFoundError extends Error {
    override readonly name = 'NotFoundError';
    readonly secret = '/home/user/private';
  }
  const { service } = fakeService(() => {
    throw new NotFoundError('run 9 not found');
  });
  const r = await handleCall(APP_FRAME, 'runs.get', { id: 9 }, service);
  assert.deepEqual(r, { ok: false, error: { name: 'NotFoundError', message: 'run 9 not found' } });
  assert.deepEqual(Object.keys(!r.ok ? r.error : {}), ['name', 'message']);
  assert.doesNotMatch(JSON.stringify(r), /at |\.ts:|private/);
  const odd = await handleCall(APP_FRAME, 'runs.list', {}, fakeService(() => { throw 'plain string'; }).service);
  assert.deepEqual(odd, { ok: false, error: { name: 'Error', message: 'plain string' } });
});

test('events: every contract event is forwarded as {event, payload} on the event channel; none after stop', () => {
  const { service, subscribed } = fakeService();
  const sent: unknown[][] = [];
  let destroyed = false;
  const target: EventTarget = { isDestroyed: () => destroyed, send: (...args) => { sent.push(args); } };
  const stop = forwardEvents(service, () => target);
  assert.deepEqual([...subscribed.keys()].sort(), [...EVENT_NAMES].sort());
  subscribed.get('job.progress')!({ jobId: 'j1', done: 1 });
  assert.deepEqual(sent, [[EVENT_CHANNEL, { event: 'job.progress', payload: { jobId: 'j1', done: 1 } }]]);
  destroyed = true;
  subscribed.get('chat.delta')!({ text: 'x' });
  assert.equal(sent.length, 1, 'a destroyed window gets nothing');
  stop();
  assert.equal(subscribed.size, 0);
});

test('registerIpc: one handler on trimllm:call; preload → main → service round trip; dispose removes it', async () => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const ipcMain = {
    handle: (channel: string, fn: (...args: unknown[]) => unknown) => { handlers.set(channel, fn); },
    removeHandler: (channel: string) => { handlers.delete(channel); },
  };
  const { service, calls, subscribed } = fakeService(() => [{ id: 1, name: 'stories260K' }]);
  const dispose = registerIpc(ipcMain as never, service, () => null);
  assert.deepEqual([...handlers.keys()], [CALL_CHANNEL]);
  const { ipc } = fakeIpcRenderer();
  ipc.invoke = async (channel, ...args) => handlers.get(channel)!(APP_FRAME, ...args);
  const bridge = createBridge(ipc);
  assert.deepEqual(await bridge.call('models.list', {}), [{ id: 1, name: 'stories260K' }]);
  await assert.rejects(bridge.call('models.inspect', { id: -1 }), (e: { name: string; message: string }) =>
    e.name === 'ValidationError' && /^invalid request for models\.inspect: id: /.test(e.message));
  assert.equal(calls.length, 1);
  dispose();
  assert.equal(handlers.size, 0);
  assert.equal(subscribed.size, 0);
});
