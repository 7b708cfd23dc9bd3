// Hub download against a local node:http server serving /{repo}/resolve/{revision}/{file} (never the real network):
// full download, redirects, resume after a dropped connection, abort, checksum, HTTP errors, progress, the demo model.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadHubFile, HubDownloadError, type DownloadProgress } from '../../electron/hub/download.ts';
import { ensureDemoModel } from '../../electron/hub/demo-model.ts';

delete process.env.HF_ENDPOINT;
delete process.env.TRIMLLM_DEMO_MODEL_DIR;

const SHARED = fileURLToPath(new URL('../../../shared/models/stories260K', import.meta.url));
const BLOB = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >> 8)) % 251));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** How the server misbehaves for the next requests (reset before each test). */
interface Mode {
  /** Send this many body bytes, then destroy the socket (once). */
  dropAfter: number | null;
  /** Send this many body bytes, then go silent (the socket stays open). */
  stallAfter: number | null;
  /** Send the body in this many pieces, 40 ms apart. */
  slowPieces: number | null;
  /** Answer Range requests with 200 and the whole file. */
  ignoreRange: boolean;
  /** Answer Range requests with a 206 for the wrong range. */
  badRange: boolean;
}

const files = new Map<string, Buffer>();
const requests: { path: string; range: string | undefined }[] = [];
let mode: Mode;
let server: Server;
let base: string;
let tmp: string;
const tmps: string[] = [];

function serveBody(res: ServerResponse, body: Buffer): void {
  if (mode.dropAfter !== null || mode.stallAfter !== null) {
    const cut = (mode.dropAfter ?? mode.stallAfter)!;
    const drop = mode.dropAfter !== null;
    mode.dropAfter = null;
    // Drop a while after the bytes are handed to the kernel. (The client may still lose what it had buffered but not
    // yet consumed when the socket closes: Node destroys the response stream, as it would on a real dropped link.)
    res.write(body.subarray(0, cut), () => drop && setTimeout(() => res.socket?.destroy(), 200));
    return;
  }
  if (mode.slowPieces !== null) {
    const size = Math.ceil(body.length / mode.slowPieces);
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(body.subarray(at, at + size));
      at += size;
      if (at >= body.length) {
        clearInterval(timer);
        res.end();
      }
    }, 40);
    res.on('close', () => clearInterval(timer));
    return;
  }
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  requests.push({ path, range: req.headers.range });
  if (path.startsWith('/org/redirected/')) {
    res.writeHead(302, { location: `/cdn${path}` }).end();
    return;
  }
  if (path.startsWith('/org/loop/')) {
    res.writeHead(307, { location: path }).end();
    return;
  }
  if (path.startsWith('/org/gated/')) {
    res.writeHead(403, { 'x-error-code': 'GatedRepo' }).end('gated');
    return;
  }
  const data = files.get(path.replace(/^\/cdn/, ''));
  if (!data) {
    res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('not found');
    return;
  }
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range && !mode.ignoreRange) {
    const start = Number(range[1]);
    if (start >= data.length) {
      res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
      return;
    }
    const claimed = mode.badRange ? 0 : start;
    res.writeHead(206, {
      'content-length': data.length - start,
      'content-range': `bytes ${claimed}-${data.length - 1}/${data.length}`,
    });
    serveBody(res, data.subarray(start));
    return;
  }
  res.writeHead(200, { 'content-length': data.length });
  serveBody(res, data);
}

before(async () => {
  files.set('/org/model/resolve/main/weights/model.bin', BLOB);
  files.set('/org/redirected/resolve/main/model.bin', BLOB);
  files.set('/karpathy/tinyllamas/resolve/main/stories260K/stories260K.bin', readFileSync(join(SHARED, 'stories260K.bin')));
  files.set('/karpathy/tinyllamas/resolve/main/stories260K/tok512.bin', readFileSync(join(SHARED, 'tok512.bin')));
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const dir of tmps) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  mode = { dropAfter: null, stallAfter: null, slowPieces: null, ignoreRange: false, badRange: false };
  requests.length = 0;
  tmp = mkdtempSync(join(tmpdir(), 'trimllm-hub-'));
  tmps.push(tmp);
});

const opts = { timeout: 10_000 };
const model = (dest: string) => ({ repo: 'org/model', file: 'weights/model.bin', dest, endpoint: base });

test('downloads a whole file, verifies its sha256 and leaves no .part', opts, async () => {
  const dest = join(tmp, 'sub', 'model.bin');
  const events: DownloadProgress[] = [];
  const result = await downloadHubFile({ ...model(dest), sha256: sha(BLOB).toUpperCase(), onProgress: (p) => events.push(p) });
  assert.deepEqual(result, { path: dest, bytes: BLOB.length, sha256: sha(BLOB), resumed: false });
  assert.ok(readFileSync(dest).equals(BLOB));
  assert.ok(!existsSync(`${dest}.part`));
  assert.deepEqual(requests, [{ path: '/org/model/resolve/main/weights/model.bin', range: undefined }]);
  assert.equal(events[0].bytes, 0);
  assert.equal(events.at(-1)!.bytes, BLOB.length);
  assert.equal(events.at(-1)!.total, BLOB.length);
  assert.equal(events.at(-1)!.etaSeconds, 0);
  assert.equal(events[0].file, 'weights/model.bin');
});

test('follows the redirect to the CDN and sends the Range header there too', opts, async () => {
  const dest = join(tmp, 'model.bin');
  writeFileSync(`${dest}.part`, BLOB.subarray(0, 1234));
  const result = await downloadHubFile({ repo: 'org/redirected', file: 'model.bin', dest, endpoint: `${base}/` });
  assert.equal(result.resumed, true);
  assert.equal(result.sha256, sha(BLOB));
  assert.deepEqual(requests, [
    { path: '/org/redirected/resolve/main/model.bin', range: 'bytes=1234-' },
    { path: '/cdn/org/redirected/resolve/main/model.bin', range: 'bytes=1234-' },
  ]);
  assert.ok(readFileSync(dest).equals(BLOB));
});

test('gives up after a few redirects', opts, async () => {
  await assert.rejects(
    downloadHubFile({ repo: 'org/loop', file: 'x.bin', dest: join(tmp, 'x.bin'), endpoint: base }),
    (e: HubDownloadError) => e.kind === 'redirect' && /Too many redirects/.test(e.message),
  );
  assert.equal(requests.length, 6);
});

test('resumes an interrupted download with a Range request; the result is byte-identical', opts, async () => {
  const dest = join(tmp, 'model.bin');
  mode.dropAfter = 100_000;
  let message = '';
  await assert.rejects(downloadHubFile({ ...model(dest), sha256: sha(BLOB) }), (e: HubDownloadError) => {
    assert.equal(e.kind, 'incomplete');
    message = e.message;
    return true;
  });
  const kept = statSync(`${dest}.part`).size;
  assert.ok(kept > 0 && kept <= 100_000, `kept ${kept} bytes`);
  assert.ok(message.includes(`stopped after ${kept} of 300000 bytes`) && message.includes('kept'), message);
  assert.ok(!existsSync(dest));

  const result = await downloadHubFile({ ...model(dest), sha256: sha(BLOB) });
  assert.equal(requests.length, 2);
  assert.equal(requests[1].range, `bytes=${kept}-`);
  assert.deepEqual(result, { path: dest, bytes: BLOB.length, sha256: sha(BLOB), resumed: true });
  assert.ok(readFileSync(dest).equals(BLOB));
  assert.ok(!existsSync(`${dest}.part`));
});

test('a stalled connection times out and keeps the .part', opts, async () => {
  const dest = join(tmp, 'model.bin');
  mode.stallAfter = 5000;
  await assert.rejects(
    downloadHubFile({ ...model(dest), idleTimeoutSeconds: 0.3 }),
    (e: HubDownloadError) => e.kind === 'incomplete' && /ETIMEDOUT/.test(e.message),
  );
  assert.equal(statSync(`${dest}.part`).size, 5000);
});

test('abort via the signal rejects with AbortError and keeps the .part for a later resume', opts, async () => {
  const dest = join(tmp, 'model.bin');
  mode.slowPieces = 20;
  const controller = new AbortController();
  await assert.rejects(
    downloadHubFile({
      ...model(dest),
      signal: controller.signal,
      onProgress: (p) => p.bytes > 0 && controller.abort(),
    }),
    { name: 'AbortError' },
  );
  const kept = statSync(`${dest}.part`).size;
  assert.ok(kept > 0 && kept < BLOB.length, `kept ${kept} bytes`);
  assert.ok(!existsSync(dest));

  mode.slowPieces = null;
  const result = await downloadHubFile({ ...model(dest), sha256: sha(BLOB) });
  assert.equal(result.resumed, true);
  assert.equal(requests.at(-1)!.range, `bytes=${kept}-`);
  assert.ok(readFileSync(dest).equals(BLOB));
});

test('an already aborted signal makes no request', opts, async () => {
  await assert.rejects(downloadHubFile({ ...model(join(tmp, 'm.bin')), signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.equal(requests.length, 0);
});

test('a sha256 mismatch deletes the .part and names the file and both hashes', opts, async () => {
  const dest = join(tmp, 'model.bin');
  const wrong = 'ab'.repeat(32);
  await assert.rejects(downloadHubFile({ ...model(dest), sha256: wrong }), (e: HubDownloadError) => {
    assert.equal(e.kind, 'checksum');
    assert.match(e.message, /weights\/model\.bin/);
    assert.ok(e.message.includes(wrong) && e.message.includes(sha(BLOB)), e.message);
    return true;
  });
  assert.ok(!existsSync(`${dest}.part`));
  assert.ok(!existsSync(dest));
});

test('404 names the URL and says it is not on the Hub', opts, async () => {
  const dest = join(tmp, 'nope.bin');
  await assert.rejects(downloadHubFile({ ...model(dest), file: 'nope.bin' }), (e: HubDownloadError) => {
    assert.equal(e.kind, 'not-found');
    assert.equal(e.status, 404);
    assert.ok(e.message.includes(`${base}/org/model/resolve/main/nope.bin not found on the Hub`), e.message);
    return true;
  });
  assert.ok(!existsSync(dest) && !existsSync(`${dest}.part`));
});

test('403 says the repo is gated or private', opts, async () => {
  await assert.rejects(
    downloadHubFile({ repo: 'org/gated', file: 'm.bin', dest: join(tmp, 'm.bin'), endpoint: base }),
    (e: HubDownloadError) => e.kind === 'access-denied' && e.status === 403 && /gated or private/.test(e.message),
  );
});

test('an unreachable endpoint is named, with the offline-first hint', opts, async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  await assert.rejects(downloadHubFile({ ...model(join(tmp, 'm.bin')), endpoint }), (e: HubDownloadError) => {
    assert.equal(e.kind, 'network');
    assert.ok(e.message.includes(endpoint), e.message);
    assert.match(e.message, /^Cannot reach .*ECONNREFUSED.*offline-first.*Hub mirror.*Settings.*import a model/);
    assert.doesNotMatch(e.message, /TRIMLLM_DEMO_MODEL_DIR/, 'a demo-only variable is no advice for the app');
    return true;
  });
});

test('a server that ignores Range (200) restarts from byte 0', opts, async () => {
  const dest = join(tmp, 'model.bin');
  writeFileSync(`${dest}.part`, Buffer.alloc(1000, 7));
  mode.ignoreRange = true;
  const result = await downloadHubFile({ ...model(dest), sha256: sha(BLOB) });
  assert.equal(requests[0].range, 'bytes=1000-');
  assert.equal(result.resumed, false);
  assert.ok(readFileSync(dest).equals(BLOB));
});

test('a 206 for the wrong range is refused and the .part kept', opts, async () => {
  const dest = join(tmp, 'model.bin');
  writeFileSync(`${dest}.part`, BLOB.subarray(0, 1000));
  mode.badRange = true;
  await assert.rejects(
    downloadHubFile(model(dest)),
    (e: HubDownloadError) => e.kind === 'bad-range' && /does not handle Range requests/.test(e.message),
  );
  assert.equal(statSync(`${dest}.part`).size, 1000);
});

test('a complete .part (416 from the server) is verified and renamed', opts, async () => {
  const dest = join(tmp, 'model.bin');
  writeFileSync(`${dest}.part`, BLOB);
  const result = await downloadHubFile({ ...model(dest), sha256: sha(BLOB) });
  assert.deepEqual(result, { path: dest, bytes: BLOB.length, sha256: sha(BLOB), resumed: true });
  assert.ok(readFileSync(dest).equals(BLOB));
});

test('a .part longer than the file (416) is discarded and the download starts over', opts, async () => {
  const dest = join(tmp, 'model.bin');
  writeFileSync(`${dest}.part`, Buffer.alloc(BLOB.length + 10, 1));
  const result = await downloadHubFile({ ...model(dest), sha256: sha(BLOB) });
  assert.deepEqual(requests.map((r) => r.range), [`bytes=${BLOB.length + 10}-`, undefined]);
  assert.equal(result.resumed, false);
  assert.ok(readFileSync(dest).equals(BLOB));
});

test('progress events come at most every ~100 ms with speed and ETA', opts, async () => {
  mode.slowPieces = 12;
  const events: DownloadProgress[] = [];
  const start = performance.now();
  await downloadHubFile({ ...model(join(tmp, 'm.bin')), onProgress: (p) => events.push(p) });
  const elapsedMs = performance.now() - start;
  // The start, the end, and in between at most one per 100 ms (and one per piece received).
  assert.ok(events.length >= 3, `${events.length} events`);
  assert.ok(events.length - 2 <= Math.min(12, Math.floor(elapsedMs / 100) + 1), `${events.length} events in ${elapsedMs} ms`);
  for (let i = 1; i < events.length; i++) assert.ok(events[i].bytes >= events[i - 1].bytes);
  const mid = events.find((e) => e.bytes > 0 && e.bytes < BLOB.length)!;
  assert.ok(mid, 'an event in the middle of the download');
  assert.equal(mid.total, BLOB.length);
  assert.ok(mid.bytesPerSecond > 0 && mid.etaSeconds! > 0);
  assert.equal(events.at(-1)!.bytes, BLOB.length);
  assert.equal(events.filter((e) => e.bytes === BLOB.length).length, 1);
});

test('the endpoint defaults to HF_ENDPOINT', opts, async () => {
  process.env.HF_ENDPOINT = base;
  try {
    const result = await downloadHubFile({ repo: 'org/model', file: 'weights/model.bin', dest: join(tmp, 'm.bin') });
    assert.equal(result.sha256, sha(BLOB));
    assert.equal(requests.length, 1);
  } finally {
    delete process.env.HF_ENDPOINT;
  }
});

test('ensureDemoModel uses TRIMLLM_DEMO_MODEL_DIR without any request', opts, async () => {
  process.env.TRIMLLM_DEMO_MODEL_DIR = SHARED;
  try {
    const paths = await ensureDemoModel(join(tmp, 'demo'), { endpoint: base });
    assert.deepEqual(paths, { modelPath: join(SHARED, 'stories260K.bin'), tokenizerPath: join(SHARED, 'tok512.bin') });
    assert.equal(requests.length, 0);
    assert.ok(!existsSync(join(tmp, 'demo')));
  } finally {
    delete process.env.TRIMLLM_DEMO_MODEL_DIR;
  }
});

test('ensureDemoModel refuses a TRIMLLM_DEMO_MODEL_DIR without the files, offline', opts, async () => {
  process.env.TRIMLLM_DEMO_MODEL_DIR = tmp;
  try {
    await assert.rejects(ensureDemoModel(join(tmp, 'demo'), { endpoint: base }), /does not hold stories260K\.bin/);
    assert.equal(requests.length, 0);
  } finally {
    delete process.env.TRIMLLM_DEMO_MODEL_DIR;
  }
});

test('ensureDemoModel downloads and verifies both files, then reuses them', opts, async () => {
  const dir = join(tmp, 'demo');
  const seen = new Set<string>();
  const paths = await ensureDemoModel(dir, { endpoint: base, onProgress: (p) => seen.add(p.file) });
  assert.deepEqual(paths, { modelPath: join(dir, 'stories260K.bin'), tokenizerPath: join(dir, 'tok512.bin') });
  assert.ok(readFileSync(paths.modelPath).equals(readFileSync(join(SHARED, 'stories260K.bin'))));
  assert.ok(readFileSync(paths.tokenizerPath).equals(readFileSync(join(SHARED, 'tok512.bin'))));
  assert.deepEqual([...seen], ['stories260K/stories260K.bin', 'stories260K/tok512.bin']);
  assert.deepEqual(
    requests.map((r) => r.path),
    ['/karpathy/tinyllamas/resolve/main/stories260K/stories260K.bin', '/karpathy/tinyllamas/resolve/main/stories260K/tok512.bin'],
  );

  requests.length = 0;
  writeFileSync(paths.tokenizerPath, 'corrupt');
  assert.deepEqual(await ensureDemoModel(dir, { endpoint: base }), paths);
  assert.deepEqual(requests.map((r) => r.path), ['/karpathy/tinyllamas/resolve/main/stories260K/tok512.bin']);
  assert.ok(readFileSync(paths.tokenizerPath).equals(readFileSync(join(SHARED, 'tok512.bin'))));
});
