// Size limits (engine/data/limits.ts, safetensors MAX_HEADER_BYTES): a 50 MB JSON Lines record, a 50 MB CSV line,
// a safetensors header length of 2 GB and 2^63, and a 10,000,000-row JSON Lines file are refused with a message
// naming the file, the line and the limit, in a child process whose peak RSS stays under 1.5 GB. While the
// 10-million-row file is previewed through the real server (its import runs in a worker process), the server
// keeps answering API requests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../electron/server/index.ts';
import { setWorkspaceAccess } from '../../electron/store/index.ts';
import { TEST_DB_KEY } from '../helpers/shared.ts';

setWorkspaceAccess({ key: TEST_DB_KEY }); // the server opens an encrypted workspace with the tests' key

const CHILD = fileURLToPath(new URL('./size-import-child.ts', import.meta.url));
/** Peak RSS allowed for one import (a memory bound, generous on purpose). */
const MAX_RSS_MB = 1536;
const dir = mkdtempSync(join(tmpdir(), 'trimllm-size-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface ChildResult { ok: boolean; error: string | null; maxRssMB: number; seconds: number }

function runChild(kind: 'data' | 'safetensors', path: string): ChildResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, kind, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

/** Writes `rows` JSON Lines rows streaming (small rows), resolving when the file is closed. */
async function writeRows(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const CHUNK = 10_000;
  for (let start = 0; start < rows; start += CHUNK) {
    let text = '';
    for (let i = start; i < Math.min(rows, start + CHUNK); i++) text += `{"text":"row ${i}"}\n`;
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

let tenMillion: string;
before(async () => {
  tenMillion = join(dir, 'ten-million.jsonl');
  await writeRows(tenMillion, 10_000_000);
});

test('a 50 MB JSON Lines record is refused naming the file, the line and the 16 MB limit', { timeout: 60_000 }, (t) => {
  const path = join(dir, 'huge-record.jsonl');
  writeFileSync(path, `{"text":"ok"}\n{"text":"${'x'.repeat(50_000_000)}"}\n`);
  const r = runChild('data', path);
  t.diagnostic(`peak RSS ${r.maxRssMB} MB, ${r.seconds.toFixed(1)} s: ${r.error}`);
  assert.match(r.error ?? '', new RegExp(`${path}: line 2: the record is 50 MB, over the limit of 16 MB; shorten the record, or raise the limit: trimllm import-data --max-record-mb`));
  assert.ok(r.maxRssMB < MAX_RSS_MB, `peak RSS ${r.maxRssMB} MB`);
});

test('a CSV with a 50 MB line is refused naming the file and the limit', { timeout: 60_000 }, (t) => {
  const path = join(dir, 'huge-line.csv');
  writeFileSync(path, `question,answer\n"${'y'.repeat(50_000_000)}",A\n`);
  const r = runChild('data', path);
  t.diagnostic(`peak RSS ${r.maxRssMB} MB, ${r.seconds.toFixed(1)} s: ${r.error}`);
  assert.match(r.error ?? '', new RegExp(`${path}: line 2: a record is over the limit of 16 MB`));
  assert.ok(r.maxRssMB < MAX_RSS_MB, `peak RSS ${r.maxRssMB} MB`);
});

test('safetensors header lengths of 2 GB and 2^63 are refused without allocating them', { timeout: 60_000 }, (t) => {
  for (const n of [2n ** 31n, 2n ** 63n]) {
    const path = join(dir, `header-${n}.safetensors`);
    const bytes = Buffer.alloc(8 + 64);
    bytes.writeBigUInt64LE(n);
    writeFileSync(path, bytes);
    const r = runChild('safetensors', path);
    t.diagnostic(`header length ${n}: peak RSS ${r.maxRssMB} MB: ${r.error}`);
    assert.match(r.error ?? '', new RegExp(`${path}: header length ${n} bytes exceeds the 100000000-byte limit`));
    assert.ok(r.maxRssMB < 300, `peak RSS ${r.maxRssMB} MB`);
  }
});

test('10,000,000 rows: refused at the row limit in bounded memory', { timeout: 120_000 }, (t) => {
  const r = runChild('data', tenMillion);
  t.diagnostic(`peak RSS ${r.maxRssMB} MB, ${r.seconds.toFixed(1)} s: ${r.error}`);
  assert.match(r.error ?? '', new RegExp(`${tenMillion}: line 1000001: more than 1000000 records, the limit; split the file, or raise the limit: trimllm import-data --max-rows`));
  assert.ok(r.maxRssMB < MAX_RSS_MB, `peak RSS ${r.maxRssMB} MB`);
});

test('the server keeps answering while a 10,000,000-row file is previewed in its worker', { timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trimllm-size-server-'));
  const server: RunningServer = await startServer({ dataDir, staticDir: join(dataDir, 'no-ui'), log: () => {} });
  try {
    const post = (method: string, body: unknown) =>
      fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let previewDone = false;
    const preview = post('datasets.preview', { path: tenMillion }).then(async (r) => {
      previewDone = true;
      return { status: r.status, body: (await r.json()) as { message?: string } };
    });
    let answeredDuringPreview = 0;
    while (!previewDone) {
      const r = await post('datasets.list', {});
      assert.equal(r.status, 200);
      if (!previewDone) answeredDuringPreview++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = await preview;
    t.diagnostic(`${answeredDuringPreview} API answers while the preview ran; preview: ${result.status} ${result.body.message}`);
    assert.ok(answeredDuringPreview >= 1, 'the server answered while the import ran');
    assert.ok(result.status >= 400 && result.status < 500, `preview answered ${result.status}`);
    assert.match(result.body.message ?? '', /more than 1000000 records/);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
