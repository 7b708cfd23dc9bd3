// The main process's lifecycle (electron/main/index.ts) under plain Node: 'electron' is resolved to a recording
// fake, and the real service runs on a temporary data directory. Checks what happens before ready (privileged
// app:// scheme, sandbox for all renderers, single-instance lock, TRIMLLM_DATA_DIR), after ready (session
// hardening, protocol, IPC → real service, interrupted runs marked, one window on app://trimllm/index.html,
// second instance focuses it) and on quit (the quit waits for the service to close).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeDatabase, createRun, fileState, importDataset, insertModel, openDatabase, setRunStatus } from '../../electron/store/index.ts';
import { KEY_BLOB_FILE } from '../../electron/main/db-key.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/security.ts';

type Fn = (...args: unknown[]) => unknown;

/** Recording stand-ins for the Electron main-process modules index.ts uses. */
function fakeElectron(dataDirAtStart: string) {
  const log: unknown[][] = [];
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  const paths = new Map<string, string>([['userData', dataDirAtStart]]);
  const app = Object.assign(new EventEmitter(), {
    quitted: false,
    exitCode: null as number | null,
    requestSingleInstanceLock: () => { log.push(['requestSingleInstanceLock']); return true; },
    enableSandbox: () => { log.push(['enableSandbox']); },
    setPath: (name: string, value: string) => { log.push(['setPath', name, value]); paths.set(name, value); },
    getPath: (name: string) => paths.get(name)!,
    whenReady: () => ready,
    quit() {
      const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
      app.emit('before-quit', event);
      if (!event.defaultPrevented) app.quitted = true;
    },
    exit: (code: number) => { app.exitCode = code; },
  });
  const windows: FakeWindow[] = [];
  class FakeWindow extends EventEmitter {
    loaded: string | null = null;
    focused = 0;
    sent: unknown[][] = [];
    webContents = { send: (...args: unknown[]) => { this.sent.push(args); }, isDestroyed: () => false };
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      windows.push(this);
    }
    loadURL(url: string) { this.loaded = url; return Promise.resolve(); }
    show() {}
    isDestroyed() { return false; }
    isMinimized() { return false; }
    restore() {}
    focus() { this.focused++; }
    static getAllWindows() { return windows; }
  }
  const handlers: Record<string, Fn> = {};
  const session = {
    webRequest: {
      onHeadersReceived: (fn: Fn) => { handlers.headers = fn; },
      onBeforeRequest: (fn: Fn) => { handlers.request = fn; },
    },
    setPermissionRequestHandler: (fn: Fn) => { handlers.permissionRequest = fn; },
    setPermissionCheckHandler: (fn: Fn) => { handlers.permissionCheck = fn; },
  };
  const ipc = new Map<string, Fn>();
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    dialog: { showErrorBox: (...args: unknown[]) => { log.push(['showErrorBox', ...args]); } },
    ipcMain: { handle: (c: string, fn: Fn) => { ipc.set(c, fn); }, removeHandler: (c: string) => { ipc.delete(c); } },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => { log.push(['registerSchemesAsPrivileged', schemes]); },
      handle: (scheme: string, fn: Fn) => { handlers[`protocol:${scheme}`] = fn; },
    },
    session: { defaultSession: session },
    // A stand-in keychain: "encrypts" by XOR with 0x5a, enough to tell that the blob is not the key itself.
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (text: string) => Buffer.from(text, 'utf8').map((b) => b ^ 0x5a),
      decryptString: (blob: Buffer) => Buffer.from(blob.map((b) => b ^ 0x5a)).toString('utf8'),
    },
    utilityProcess: { fork: (...args: unknown[]) => { log.push(['fork', ...args]); throw new Error('no workers in this test'); } },
  };
  return { electron, log, markReady, windows, handlers, ipc, app };
}

/** Makes `import … from 'electron'` load the fake stored on globalThis (this test file runs in its own process). */
function resolveElectronToFake(): void {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-fake-electron-'));
  const fake = join(dir, 'electron.mjs');
  writeFileSync(fake, [
    'const f = globalThis.__trimllmFakeElectron;',
    'export const { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, utilityProcess } = f;',
    'export default f;',
  ].join('\n'));
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === 'electron') return { url: ${JSON.stringify(pathToFileURL(fake).href)}, shortCircuit: true };
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

async function until<T>(what: string, get: () => T | undefined | null | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('main process lifecycle with the real service on a temporary data directory', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trimllm-app-data-'));
  const db = openDatabase(join(dataDir, 'trimllm.db'));
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: {} });
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, []);
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 0 });
  setRunStatus(db, runId, 'running'); // as if the app had crashed mid-run
  closeDatabase(db);

  const fake = fakeElectron('/nonexistent/userData');
  (globalThis as Record<string, unknown>).__trimllmFakeElectron = fake.electron;
  process.env.TRIMLLM_DATA_DIR = dataDir;
  resolveElectronToFake();
  await import('../../electron/main/index.ts');

  // Before ready.
  const calls = fake.log.map((entry) => entry[0]);
  assert.deepEqual(calls.slice(0, 4), ['registerSchemesAsPrivileged', 'enableSandbox', 'setPath', 'requestSingleInstanceLock']);
  assert.deepEqual(fake.log[0][1], [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
  assert.deepEqual(fake.log[2], ['setPath', 'userData', dataDir]);
  assert.equal(fake.windows.length, 0, 'no window before ready');

  // After ready: one window on the app page, with the bundled preload.
  fake.markReady();
  const window = await until('the window', () => fake.windows[0]);
  assert.equal(window.loaded, 'app://trimllm/index.html');
  assert.match(String(window.options.webPreferences.preload), /[/\\]preload\.cjs$/);
  assert.equal(window.options.webPreferences.sandbox, true);
  assert.equal(window.options.webPreferences.contextIsolation, true);
  assert.equal(fake.log.some((e) => e[0] === 'showErrorBox'), false);

  // Session hardening and the protocol are in place.
  let reply: unknown;
  (fake.handlers.headers as Fn)({ responseHeaders: {} }, (r: unknown) => { reply = r; });
  assert.deepEqual(reply, { responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  (fake.handlers.permissionRequest as Fn)({}, 'media', (granted: unknown) => { reply = granted; });
  assert.equal(reply, false);
  const missing = (await (fake.handlers['protocol:app'] as Fn)({ url: 'app://trimllm/nope.js' })) as Response;
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);

  // IPC reaches the real service, on the data directory; the crashed run was marked interrupted at start-up.
  const call = fake.ipc.get('trimllm:call')!;
  const frame = { senderFrame: { url: 'app://trimllm/index.html', parent: null } };
  const settings = (await call(frame, 'settings.get', {})) as { ok: boolean; value: { dataDir: string } };
  assert.equal(settings.ok, true, JSON.stringify(settings));
  assert.equal(settings.value.dataDir, dataDir);
  const runs = (await call(frame, 'runs.list', {})) as { ok: boolean; value: { id: number; status: string }[] };
  assert.deepEqual(runs.value.map((r) => [r.id, r.status]), [[runId, 'interrupted']]);
  // The plain database from before was converted in place with a random key kept only through the keychain.
  assert.equal(fileState(join(dataDir, 'trimllm.db')), 'encrypted');
  const blob = join(dataDir, KEY_BLOB_FILE);
  assert.equal(statSync(blob).mode & 0o777, 0o600);
  assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  assert.match(Buffer.from(readFileSync(blob).map((b) => b ^ 0x5a)).toString('utf8'), /^x'[0-9a-f]{64}'$/);
  const notFound = (await call(frame, 'runs.get', { id: 999 })) as { ok: boolean; error: unknown };
  assert.equal(notFound.ok, false);
  assert.deepEqual(Object.keys(notFound.error as object), ['name', 'message']);
  const remote = (await call({ senderFrame: { url: 'https://example.com/', parent: null } }, 'runs.list', {})) as { ok: boolean };
  assert.equal(remote.ok, false);

  // Every web contents is hardened; a second instance focuses the window.
  const listeners: string[] = [];
  fake.app.emit('web-contents-created', {}, { on: (name: string) => listeners.push(name), setWindowOpenHandler: () => listeners.push('open') });
  assert.deepEqual(listeners.sort(), ['open', 'will-attach-webview', 'will-frame-navigate', 'will-navigate', 'will-redirect']);
  fake.app.emit('second-instance');
  assert.equal(window.focused, 1);

  // Quit waits for the service to close (jobs stopped at their checkpoint, database closed), then quits.
  fake.app.quit();
  assert.equal(fake.app.quitted, false, 'the first quit is deferred');
  assert.equal(fake.ipc.size, 0, 'IPC handler removed at once');
  await until('the deferred quit', () => fake.app.quitted);
  assert.equal(fake.app.exitCode, null);
});
