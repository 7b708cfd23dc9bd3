// The server's HTTP surface without running jobs: the token (401/200, constant-time comparison), loopback-only
// binding, security headers, static files without directory traversal, contract validation (400 naming the
// field), unknown methods (404), the body limit, and the event socket's token check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { UNAUTHORIZED_CLOSE } from '../../electron/api/event-socket-auth.ts';
import { CSP, isLoopbackHost, RemoteBindError, startServer, type RunningServer } from '../../electron/server/index.ts';
import { generateToken, tokenMatches } from '../../electron/server/auth.ts';
import { checkListenHost } from '../../electron/server/hosts.ts';
import { NO_BUILD_PAGE } from '../../electron/server/static.ts';
import { setWorkspaceAccess } from '../../electron/store/index.ts';
import { TEST_DB_KEY } from '../helpers/shared.ts';

setWorkspaceAccess({ key: TEST_DB_KEY }); // the server opens an encrypted workspace with the tests' key

const SECRET = 'top secret contents';
let root: string;
let server: RunningServer;
let bare: RunningServer;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'trimllm-server-http-'));
  const ui = join(root, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>app</title><script src="/assets/app.js"></script>');
  writeFileSync(join(ui, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(root, 'secret.txt'), SECRET);
  symlinkSync(join(root, 'secret.txt'), join(ui, 'link.txt'));
  server = await startServer({ dataDir: join(root, 'data'), staticDir: ui, bodyLimit: 4096, log: () => {} });
  bare = await startServer({ dataDir: join(root, 'data2'), staticDir: join(root, 'missing-dist'), log: () => {} });
});

after(async () => {
  await server?.close();
  await bare?.close();
});

/** A raw GET whose path is sent exactly as given (fetch would normalise `..`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const api = (s: RunningServer, method: string, body: unknown, token: string | null = s.token, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

test('the token: 401 without it or with a wrong one, 200 with it (API and /v1)', async () => {
  const missing = await api(server, 'settings.get', {}, null);
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
  assert.deepEqual(Object.keys((await missing.json()) as object).sort(), ['message', 'name']);
  assert.equal((await api(server, 'settings.get', {}, 'wrong')).status, 401);
  const sameLength = server.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  assert.equal((await api(server, 'settings.get', {}, sameLength)).status, 401);
  assert.equal((await api(server, 'settings.get', {}, bare.token)).status, 401, "another server's token");
  const ok = await api(server, 'settings.get', {});
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { dataDir: string }).dataDir, join(root, 'data'));
  assert.equal((await fetch(`${server.url}/v1/models`)).status, 401);
  assert.equal((await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${server.token}` } })).status, 200);
  assert.equal((await api(server, 'no.such', {}, null)).status, 401, 'no hint about methods without the token');
});

test('tokens are random base64url and compared in constant time', () => {
  const a = generateToken();
  assert.match(a, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(a, generateToken());
  assert.equal(tokenMatches(a, a), true);
  assert.equal(tokenMatches(`${a}x`, a), false);
  assert.equal(tokenMatches('', a), false);
  assert.equal(tokenMatches(undefined, a), false);
  assert.ok(server.url.startsWith('http://127.0.0.1:'));
});

test('binding: loopback only unless remote access is allowed', async () => {
  for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
  const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '192.168.1.20';
  for (const h of ['0.0.0.0', '::', lan, '10.0.0.5', 'example.com']) {
    assert.equal(isLoopbackHost(h), false, h);
    await assert.rejects(startServer({ dataDir: join(root, 'refused'), host: h, log: () => {} }), (e: Error) => {
      assert.ok(e instanceof RemoteBindError);
      assert.match(e.message, new RegExp(`refusing to listen on ${h.replace(/[.]/g, '\\.')}.*allow-remote`));
      return true;
    });
  }
  assert.equal(checkListenHost('0.0.0.0', true).length, 1);
  const open = await startServer({ dataDir: join(root, 'remote'), host: '0.0.0.0', allowRemote: true, log: () => {} });
  try {
    assert.match(open.warnings.join('\n'), /reachable from other machines/);
    const r = await fetch(`http://127.0.0.1:${open.port}/api/settings.get`, { method: 'POST', headers: { authorization: `Bearer ${open.token}` } });
    assert.equal(r.status, 200, 'still needs (and accepts) the token');
  } finally {
    await open.close();
  }
});

test('security headers on pages and API answers', async () => {
  for (const r of [await fetch(`${server.url}/`), await api(server, 'runs.list', {}), await api(server, 'runs.list', {}, null)]) {
    assert.equal(r.headers.get('content-security-policy'), CSP);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    await r.arrayBuffer();
  }
  assert.match(CSP, /default-src 'self'/);
  assert.match(CSP, /script-src 'self'(;|$)/);
  assert.match(CSP, /frame-ancestors 'none'/);
  assert.match(CSP, /object-src 'none'/);
});

test('static files: index.html at /, assets, client routes; no directory traversal', async () => {
  const index = await rawGet(server.url, '/');
  assert.equal(index.status, 200);
  assert.match(index.body, /<title>app<\/title>/);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  const js = await rawGet(server.url, '/assets/app.js');
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.match((await rawGet(server.url, '/runs/3')).body, /<title>app<\/title>/, 'a client-side route');
  assert.equal((await rawGet(server.url, '/assets/missing.js')).status, 404);
  for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2F..%2Fsecret.txt', '/..\\secret.txt',
    '/%2e%2e%5csecret.txt', '/link.txt', '/%00index.html', '/%E0%A4%A']) {
    const r = await rawGet(server.url, path);
    assert.ok([400, 403, 404].includes(r.status), `${path}: ${r.status}`);
    assert.ok(!r.body.includes(SECRET), `${path} leaked the file`);
  }
  const post = await fetch(`${server.url}/index.html`, { method: 'POST' });
  assert.equal(post.status, 405);
});

test('without a built renderer, / says how to build it', async () => {
  const r = await fetch(`${bare.url}/`);
  assert.equal(r.status, 200);
  const text = await r.text();
  assert.equal(text, NO_BUILD_PAGE);
  assert.match(text, /npm run build:ui/);
  assert.equal(r.headers.get('content-security-policy'), CSP);
});

test('requests are validated by the contract: 400 naming the field, 404 for unknown methods', async () => {
  const bad = await api(server, 'runs.start', { modelId: 1, datasetId: 1, settings: { target: 2 } });
  assert.equal(bad.status, 400);
  const body = (await bad.json()) as { name: string; message: string; issues: { field: string; message: string }[] };
  assert.equal(body.name, 'ValidationError');
  assert.match(body.message, /settings\.target/);
  assert.deepEqual(body.issues.map((i) => i.field), ['settings.target']);
  const extra = (await (await api(server, 'runs.get', { id: 1, verbose: true })).json()) as { issues: { field: string }[] };
  assert.deepEqual(extra.issues.map((i) => i.field), ['verbose']);
  const wrongType = (await (await api(server, 'chats.send', { chatId: 'one', content: '' })).json()) as { issues: { field: string }[] };
  assert.deepEqual(wrongType.issues.map((i) => i.field).sort(), ['chatId', 'content']);
  const invalidJson = await api(server, 'runs.list', '{not json');
  assert.equal(invalidJson.status, 400);
  assert.equal(((await invalidJson.json()) as { name: string }).name, 'InvalidJson');
  const unknown = await api(server, 'models.rename', {});
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), { name: 'NotFoundError', message: 'unknown method "models.rename"' });
  const missing = await api(server, 'runs.get', { id: 42 });
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { message: string }).message, /no run 42/);
  assert.equal((await fetch(`${server.url}/api/runs.list`, { headers: { authorization: `Bearer ${server.token}` } })).status, 405);
  assert.equal((await api(server, 'runs.list', {}, server.token, { 'content-type': 'text/html' })).status, 415);
  assert.deepEqual(await (await api(server, 'runs.list', '')).json(), [], 'an empty body reads as {}');
});

test('a body over the limit is refused with 413', async () => {
  const r = await api(server, 'chats.send', { chatId: 1, content: 'x'.repeat(8000) });
  assert.equal(r.status, 413);
  assert.equal(((await r.json()) as { name: string }).name, 'PayloadTooLarge');
});

test('the event socket needs the token in its first message, never in the URL', async () => {
  const closeCode = (first: string | null) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`);
      ws.on('open', () => (first === null ? ws.send('not json') : ws.send(JSON.stringify({ type: 'auth', token: first }))));
      ws.on('message', (data) => {
        if ((JSON.parse(String(data)) as { type?: string }).type === 'ready') {
          ws.terminate();
          resolve(0);
        }
      });
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => {});
    });
  assert.equal(await closeCode(null), UNAUTHORIZED_CLOSE);
  assert.equal(await closeCode('nope'), UNAUTHORIZED_CLOSE);
  assert.equal(await closeCode(server.token), 0, 'the right token gets "ready"');
  const inUrl = new WebSocket(`${server.url.replace('http', 'ws')}/api/events?token=${server.token}`);
  const refused = await new Promise<number>((resolve) => {
    inUrl.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    inUrl.on('error', () => {});
  });
  inUrl.terminate();
  assert.equal(refused, 400, 'a token in the URL is refused');
  const other = new WebSocket(`${server.url.replace('http', 'ws')}/api/other`);
  const code = await new Promise<number>((resolve) => {
    other.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    other.on('error', () => {});
  });
  other.terminate();
  assert.equal(code, 404);
});
