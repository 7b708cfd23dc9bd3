// Hub downloads as app jobs (electron/jobs/downloads.ts) against a local node:http server (never the real network):
// progress events and byte counts in SQLite, cancel keeps the .part and resume continues it with a Range request,
// a download left 'running' by a quit is 'interrupted' at the next start, a finished llama2.c download is imported.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, insertModel, openDatabase, type Database } from '../../electron/store/index.ts';
import { getDownload, listDownloads, updateDownload } from '../../electron/store/downloads.ts';
import { HubDownloads, downloadFolder, modelPathsOf } from '../../electron/jobs/downloads.ts';

delete process.env.HF_ENDPOINT;

const MODEL = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7 + (i >> 9)) % 256));
const TOKENIZER = Buffer.from('tokenizer bytes '.repeat(100));
const FILES: Record<string, Buffer> = { 'stories/model.bin': MODEL, 'stories/tok512.bin': TOKENIZER };
const ranges: (string | undefined)[] = [];
let server: Server;
let endpoint: string;
let slow = false;
let dir: string;

before(async () => {
  server = createServer((req, res) => {
    const m = /^\/owner\/repo\/resolve\/main\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
    const body = m ? FILES[m[1]!] : undefined;
    if (!body) return void res.writeHead(404).end('not found');
    ranges.push(req.headers.range);
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const part = body.subarray(from);
    res.writeHead(from > 0 ? 206 : 200, {
      'content-length': part.length,
      ...(from > 0 ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
    });
    if (!slow) return void res.end(part);
    // 20 pieces, 30 ms apart: slow enough to cancel in the middle.
    let at = 0;
    const size = Math.ceil(part.length / 20);
    const timer = setInterval(() => {
      if (res.destroyed || at >= part.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(part.subarray(at, at + size));
      at += size;
    }, 30);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'trimllm-downloads-'));
});

after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Emitted {
  event: string;
  payload: Record<string, unknown>;
}

function manager(db: Database, imported: { path: string; tokenizer?: string; name: string }[]) {
  const events: Emitted[] = [];
  const waiters: (() => void)[] = [];
  const downloads = new HubDownloads({
    db, dataDir: dir, endpoint: () => endpoint,
    emit: (event, payload) => {
      events.push({ event, payload: payload as Record<string, unknown> });
      for (const w of waiters.splice(0)) w();
    },
    importModel: async (p) => {
      imported.push(p);
      return insertModel(db, { name: p.name, sourceKind: 'path', source: p.path, format: 'llama2c', config: {} });
    },
  });
  const finished = (jobId: string) =>
    new Promise<Emitted>((resolve) => {
      const check = () => {
        const hit = events.find((e) => e.event === 'download.finished' && e.payload.jobId === jobId);
        if (hit) resolve(hit);
        else waiters.push(check);
      };
      check();
    });
  return { downloads, events, finished };
}

test('model paths of a finished download: a llama2.c .bin with its tok*.bin, or a Hugging Face folder', () => {
  assert.deepEqual(modelPathsOf('/d', ['s/tok512.bin', 's/model.bin']), { path: '/d/s/model.bin', tokenizer: '/d/s/tok512.bin' });
  assert.deepEqual(modelPathsOf('/d', ['m/config.json', 'm/model.safetensors', 'm/tokenizer.json']), { path: '/d/m' });
  assert.equal(modelPathsOf('/d', ['README.md']), null);
  assert.equal(downloadFolder('/w', 'karpathy/tinyllamas', 'refs/pr/1'), '/w/models/karpathy--tinyllamas/refs_pr_1');
});

test('cancel keeps the .part; resume continues it with a Range request, then the model is imported', async () => {
  const db = openDatabase(join(dir, 'a.db'));
  const imported: { path: string; tokenizer?: string; name: string }[] = [];
  const { downloads, events, finished } = manager(db, imported);
  slow = true;
  ranges.length = 0;
  const { downloadId, jobId } = downloads.start('owner/repo', ['stories/model.bin', 'stories/tok512.bin']);
  assert.equal(downloads.isActive(downloadId), true);
  // Cancel once some bytes have arrived.
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (events.some((e) => e.event === 'download.progress' && (e.payload.bytes as number) > 0)) {
        clearInterval(t);
        resolve();
      }
    }, 10);
  });
  assert.equal(downloads.cancel(downloadId), true);
  assert.equal((await finished(jobId)).payload.status, 'cancelled');
  const stopped = getDownload(db, downloadId)!;
  assert.equal(stopped.status, 'cancelled');
  const part = join(stopped.destDir, 'stories/model.bin.part');
  assert.ok(existsSync(part), '.part kept');
  const kept = readFileSync(part).length;
  assert.ok(kept > 0 && kept < MODEL.length, `kept ${kept} bytes`);

  slow = false;
  const resumed = downloads.resume(downloadId);
  const done = await finished(resumed.jobId);
  assert.equal(done.payload.status, 'completed', JSON.stringify(done.payload));
  assert.equal(done.payload.modelId, getDownload(db, downloadId)!.modelId);
  assert.ok(done.payload.modelId !== null);
  assert.equal(ranges[1], `bytes=${kept}-`, 'the resume asked for the rest only');
  assert.deepEqual(readFileSync(join(stopped.destDir, 'stories/model.bin')), MODEL);
  assert.deepEqual(readFileSync(join(stopped.destDir, 'stories/tok512.bin')), TOKENIZER);
  const row = getDownload(db, downloadId)!;
  assert.equal(row.status, 'completed');
  assert.deepEqual(row.files.map((f) => [f.file, f.bytes, f.total, f.done]), [
    ['stories/model.bin', MODEL.length, MODEL.length, true], ['stories/tok512.bin', TOKENIZER.length, TOKENIZER.length, true],
  ]);
  assert.deepEqual(imported, [{ path: join(stopped.destDir, 'stories/model.bin'), tokenizer: join(stopped.destDir, 'stories/tok512.bin'), name: 'owner/repo/stories/model' }]);
  const progress = events.filter((e) => e.event === 'download.progress' && e.payload.jobId === resumed.jobId);
  assert.ok(progress.length >= 2);
  assert.equal(progress.at(-1)!.payload.bytes, TOKENIZER.length);
  assert.deepEqual([progress[0]!.payload.fileIndex, progress.at(-1)!.payload.fileIndex, progress[0]!.payload.files], [0, 1, 2]);
  assert.throws(() => downloads.resume(downloadId), /complete/);
  await downloads.close();
  closeDatabase(db);
});

test('a download left running by a quit is interrupted at the next start; a missing file fails naming it', async () => {
  const db = openDatabase(join(dir, 'b.db'));
  const first = manager(db, []);
  const { downloadId, jobId } = first.downloads.start('owner/repo', ['stories/missing.bin']);
  const failed = await first.finished(jobId);
  assert.equal(failed.payload.status, 'failed');
  assert.match(String(failed.payload.error), /stories\/missing\.bin|404/);
  assert.equal(getDownload(db, downloadId)!.status, 'failed');
  assert.throws(() => first.downloads.start('not a repo', ['x.bin']), /owner\/name/);
  assert.equal(listDownloads(db).length, 1, 'a malformed request stores nothing');

  updateDownload(db, downloadId, { status: 'running' }); // as if the app had quit mid-download
  const second = manager(db, []);
  assert.equal(getDownload(db, downloadId)!.status, 'interrupted');
  assert.equal(second.downloads.cancel(downloadId), false);
  closeDatabase(db);
});
