// Desktop shell security (DESIGN.md §5): webPreferences, the CSP, navigation / window.open / request / permission
// decisions, the app:// file resolution, and that these modules load under plain Node (no Electron binary).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  isNavigationAllowed,
  isPermissionGranted,
  isRequestAllowed,
  windowOpenDecision,
  withContentSecurityPolicy,
} from '../../electron/main/security.ts';
import type { BrowserWindowConstructorOptions } from 'electron';
import { createMainWindow, hardenSession, hardenWebContents } from '../../electron/main/window.ts';
import { contentType, resolveAppFile } from '../../electron/main/protocol.ts';
import { appPaths, dataDirOverride } from '../../electron/main/paths.ts';
import { repoPath } from '../helpers/shared.ts';

const REMOTE = ['https://example.com/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'app://evil/index.html',
  'app://trimllm:99/index.html', 'app://user@trimllm/index.html', 'javascript:alert(1)', 'ws://localhost/', 'not a url'];

test('webPreferences: every security setting is explicit', () => {
  class RecordingWindow {
    constructor(readonly options: BrowserWindowConstructorOptions) {}
  }
  const { options } = createMainWindow(RecordingWindow, '/app/dist/electron/preload.cjs');
  const web = options.webPreferences!;
  assert.equal(web.contextIsolation, true);
  assert.equal(web.sandbox, true);
  assert.equal(web.nodeIntegration, false);
  assert.equal(web.nodeIntegrationInWorker, false);
  assert.equal(web.nodeIntegrationInSubFrames, false);
  assert.equal(web.webviewTag, false);
  assert.equal(web.webSecurity, true);
  assert.equal(web.allowRunningInsecureContent, false);
  assert.equal(web.spellcheck, false);
  assert.equal(web.navigateOnDragDrop, false);
  assert.equal(web.experimentalFeatures, false);
  assert.equal(web.disableBlinkFeatures, 'Auxclick');
  assert.equal(web.preload, '/app/dist/electron/preload.cjs');
  assert.equal(options.show, false, 'shown on ready-to-show');
});

test('CSP: each directive is present with its strict value, nothing else', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return [name, values.join(' ')];
  }));
  assert.deepEqual(Object.fromEntries(directives), {
    'default-src': "'self'",
    'script-src': "'self'",
    'style-src': "'self' 'unsafe-inline'",
    'img-src': "'self' data:",
    'connect-src': "'self'",
    'object-src': "'none'",
    'frame-ancestors': "'none'",
    'base-uri': "'none'",
    'form-action': "'none'",
  });
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|\*|http/);
});

test('CSP header replaces any policy a response carried, keeping other headers', () => {
  const headers = withContentSecurityPolicy({ 'content-security-policy': ['default-src *'], 'X-Other': 'a' });
  assert.deepEqual(headers, { 'X-Other': ['a'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  assert.deepEqual(withContentSecurityPolicy(undefined), { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
});

test('the app origin: only app://trimllm pages', () => {
  assert.equal(APP_ENTRY_URL, 'app://trimllm/index.html');
  assert.equal(isAppUrl(APP_ENTRY_URL), true);
  assert.equal(isAppUrl('app://trimllm/runs/3#chart'), true);
  for (const url of REMOTE) assert.equal(isAppUrl(url), false, url);
  assert.equal(isAppUrl(undefined), false);
});

test('navigation: app pages allowed, every remote or file URL prevented; window.open always denied', () => {
  assert.equal(isNavigationAllowed('app://trimllm/index.html'), true);
  for (const url of REMOTE) {
    assert.equal(isNavigationAllowed(url), false, url);
    assert.deepEqual(windowOpenDecision(url), { action: 'deny' });
  }
  assert.deepEqual(windowOpenDecision(APP_ENTRY_URL), { action: 'deny' });
});

test('requests: no network from the renderer (only app:, data:, blob:)', () => {
  assert.equal(isRequestAllowed('app://trimllm/assets/index.js'), true);
  assert.equal(isRequestAllowed('data:image/png;base64,AAAA'), true);
  assert.equal(isRequestAllowed('blob:app://trimllm/1234'), true);
  for (const url of REMOTE) assert.equal(isRequestAllowed(url), false, url);
});

test('permissions: every request denied', () => {
  for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fileSystem', 'unknown']) {
    assert.equal(isPermissionGranted(p), false, p);
  }
});

/** Records the handlers a hardening function registers on a fake session / web contents. */
function fakeSession() {
  const h: Record<string, (...args: never[]) => unknown> = {};
  const session = {
    webRequest: {
      onHeadersReceived: (fn: never) => { h.headers = fn; },
      onBeforeRequest: (fn: never) => { h.request = fn; },
    },
    setPermissionRequestHandler: (fn: never) => { h.permissionRequest = fn; },
    setPermissionCheckHandler: (fn: never) => { h.permissionCheck = fn; },
  };
  return { session, h: h as Record<string, (...args: unknown[]) => unknown> };
}

test('hardenSession wires CSP, request filter and permission denial into the session', () => {
  const { session, h } = fakeSession();
  hardenSession(session as never);
  let reply: unknown;
  h.headers({ url: APP_ENTRY_URL, responseHeaders: { 'Content-Type': ['text/html'] } }, (r: unknown) => { reply = r; });
  assert.deepEqual(reply, { responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  h.request({ url: 'https://example.com/x.js' }, (r: unknown) => { reply = r; });
  assert.deepEqual(reply, { cancel: true });
  h.request({ url: 'app://trimllm/x.js' }, (r: unknown) => { reply = r; });
  assert.deepEqual(reply, { cancel: false });
  h.permissionRequest({}, 'media', (granted: unknown) => { reply = granted; }, {});
  assert.equal(reply, false);
  assert.equal(h.permissionCheck({}, 'notifications', 'app://trimllm', {}), false);
});

test('hardenWebContents prevents remote navigation and webviews, denies window.open', () => {
  const listeners = new Map<string, (...args: unknown[]) => void>();
  let openHandler: ((d: { url: string }) => unknown) | undefined;
  const contents = {
    on: (name: string, fn: (...args: unknown[]) => void) => { listeners.set(name, fn); },
    setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => { openHandler = fn; },
  };
  hardenWebContents(contents as never);
  const fire = (name: string, url: string): boolean => {
    let prevented = false;
    const event = { url, preventDefault: () => { prevented = true; } };
    listeners.get(name)!(event, url);
    return prevented;
  };
  for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
    assert.equal(fire(name, 'https://example.com/'), true, `${name} remote`);
    assert.equal(fire(name, 'file:///etc/passwd'), true, `${name} file`);
    assert.equal(fire(name, 'app://trimllm/index.html'), false, `${name} app`);
  }
  assert.equal(fire('will-attach-webview', 'app://trimllm/index.html'), true);
  assert.deepEqual(openHandler!({ url: 'https://example.com/' }), { action: 'deny' });
});

test('app:// serves files inside renderer/dist only', () => {
  const root = '/opt/app/renderer/dist';
  assert.equal(resolveAppFile('app://trimllm/index.html', root), join(root, 'index.html'));
  assert.equal(resolveAppFile('app://trimllm/', root), join(root, 'index.html'));
  assert.equal(resolveAppFile('app://trimllm/runs/3', root), join(root, 'index.html'), 'client-side route');
  assert.equal(resolveAppFile('app://trimllm/assets/a%20b.js', root), join(root, 'assets', 'a b.js'));
  for (const url of ['app://trimllm/..%2F..%2Fetc%2Fpasswd.txt', 'app://trimllm/%2e%2e/%2e%2e/secret.json',
    'app://trimllm/a%00.js', 'app://trimllm/..%5C..%5Cx.js', 'app://evil/index.html', 'file:///etc/passwd']) {
    const file = resolveAppFile(url, root);
    assert.ok(file === null || file.startsWith(root + '/'), `${url} → ${file}`);
  }
  assert.equal(resolveAppFile('app://evil/index.html', root), null);
  assert.equal(resolveAppFile('app://trimllm/a%00.js', root), null);
  assert.equal(contentType('x/index.html'), 'text/html; charset=utf-8');
  assert.equal(contentType('x/app.JS'), 'text/javascript; charset=utf-8');
  assert.equal(contentType('x/blob.bin'), 'application/octet-stream');
});

test('paths: preload and worker beside main.mjs, renderer/dist at the app root, TRIMLLM_DATA_DIR override', () => {
  const p = appPaths('/opt/app/dist/electron');
  assert.equal(p.preload, '/opt/app/dist/electron/preload.cjs');
  assert.equal(p.worker, '/opt/app/dist/electron/worker.mjs');
  assert.equal(p.rendererRoot, '/opt/app/renderer/dist');
  assert.equal(dataDirOverride({}), null);
  assert.equal(dataDirOverride({ TRIMLLM_DATA_DIR: '/tmp/x/../y' }), '/tmp/y');
});

test('the pure main-process modules import Electron for types only (they load without the binary)', () => {
  for (const file of ['security.ts', 'window.ts', 'protocol.ts', 'ipc.ts', 'paths.ts', 'service.ts', 'utility-host.ts', 'server-service.ts']) {
    const source = readFileSync(repoPath(`electron/main/${file}`), 'utf8');
    assert.doesNotMatch(source, /^import (?!type )[^;]*from 'electron';/m, file);
  }
});
