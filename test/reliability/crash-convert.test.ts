// Crash safety of the plain → encrypted conversion (RELIABILITY.md §9): a workspace database from before
// encryption (plain, ~20 MB) is opened by the real CLI with a key, which converts it in place (encrypted copy,
// rekey, verification, atomic rename; electron/store/encryption.ts convertDatabase); the process is SIGKILLed
// 10 times at seeded random moments inside the copy, rekey + verification, and swap windows. After every kill
// the file is either the old plain database or the new encrypted one, whole: integrity_check clean and every
// record there (same counts and payload hash). A last run, over a leftover copy, completes the conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../engine/random.ts';
import {
  checkIntegrity, closeDatabase, conversionCopyPath, fileState, importDataset, listDatasets, listRecords, openDatabase, SPLITS,
} from '../../electron/store/index.ts';
import { AnnouncedProcess, killInWindow, phaseWindows, tally, type KillResult } from '../helpers/kill-harness.ts';
import { TEST_DB_KEY } from '../helpers/shared.ts';

const SEED = Number(process.env.TRIMLLM_CRASH_SEED ?? 6001);
const KILLS = 10;
const RECORDS = 40_000;

/** Split counts and a hash of every record's payload of the one dataset in the database at `path`. */
function contents(path: string): { rows: Record<string, number>; hash: string } {
  const db = openDatabase(path, fileState(path) === 'encrypted' ? { key: TEST_DB_KEY } : {});
  try {
    assert.deepEqual(checkIntegrity(db), [], `${path} passes integrity_check`);
    const datasets = listDatasets(db);
    assert.equal(datasets.length, 1);
    const h = createHash('sha256');
    const rows: Record<string, number> = {};
    for (const split of SPLITS) {
      const records = listRecords(db, datasets[0]!.id, split);
      rows[split] = records.length;
      for (const r of records) h.update(JSON.stringify(r.payload));
    }
    return { rows, hash: h.digest('hex') };
  } finally {
    closeDatabase(db);
  }
}

test('10 SIGKILLs during the plain → encrypted conversion: the old plain file or the new encrypted one, whole', async (t) => {
  const rand = createRng(SEED + 7);
  const root = mkdtempSync(join(tmpdir(), 'trimllm-crash-convert-'));
  const pristine = join(root, 'pristine.db');
  const db = openDatabase(pristine);
  const noteRng = createRng(SEED);
  importDataset(db, { name: 'notes', source: '/notes.jsonl', format: 'jsonl', taskType: 'text', mapping: {} },
    Array.from({ length: RECORDS }, (_, i) => ({
      split: i % 10 === 0 ? 'test' as const : 'train' as const,
      payload: { text: `note ${i}: ${Array.from({ length: 60 }, () => Math.floor(noteRng() * 1e6).toString(36)).join(' ')}` },
    })));
  closeDatabase(db);
  assert.equal(fileState(pristine), 'plain');
  const reference = contents(pristine);

  let made = 0;
  const workspace = () => {
    const dir = join(root, `ws${made++}`);
    mkdirSync(dir);
    copyFileSync(pristine, join(dir, 'trimllm.db'));
    return dir;
  };
  const straightDir = workspace();
  const straight = new AnnouncedProcess(['runs', '--data-dir', straightDir]);
  assert.equal((await straight.exited).code, 0, straight.stderr);
  assert.equal(fileState(join(straightDir, 'trimllm.db')), 'encrypted');
  assert.deepEqual(contents(join(straightDir, 'trimllm.db')), reference, 'an uninterrupted conversion keeps every record');
  const windows = phaseWindows(straight.events, { 'convert-rekey': 'copy', 'convert-verified': 'rekey+verify', 'convert-swapped': 'swap' });
  assert.deepEqual(windows.map((w) => w.phase), ['copy', 'rekey+verify', 'swap']);

  const kills: (KillResult & { state: string })[] = [];
  let leftover: string | null = null;
  for (let n = 0; n < KILLS; n++) {
    const dir = workspace();
    const window = windows[n % 5 < 2 ? 0 : n % 5 < 4 ? 1 : 2]!; // copy 4, rekey+verify 4, swap 2
    const proc = new AnnouncedProcess(['runs', '--data-dir', dir]);
    const kill = await killInWindow(proc, window, rand, 0.9);
    assert.ok(kill.killed, `process ${n} reached "${window.anchor}" and was killed:\n${proc.stderr}`);
    const path = join(dir, 'trimllm.db');
    const state = fileState(path);
    const where = `kill ${n} (${window.phase}, ${kill.delayMs.toFixed(0)} ms after "${window.anchor}", landed ${kill.landed})`;
    assert.ok(state === 'plain' || state === 'encrypted', `${where}: the file is ${state}`);
    if (proc.announced('convert-swapped')) assert.equal(state, 'encrypted', where);
    if (!proc.announced('convert-verified')) assert.equal(state, 'plain', `${where}: the plain file stays until the verified copy is swapped in`);
    assert.deepEqual(contents(path), reference, `${where}: every record is there`);
    if (existsSync(conversionCopyPath(path))) leftover = dir;
    kills.push({ ...kill, state });
  }
  t.diagnostic(`conversion kills survived: ${kills.length}; per window ${JSON.stringify(tally(kills, (k) => k.window.phase))}; ` +
    `inside the window ${JSON.stringify(tally(kills.filter((k) => k.landed), (k) => k.window.phase))}; ` +
    `left plain ${kills.filter((k) => k.state === 'plain').length}, encrypted ${kills.filter((k) => k.state === 'encrypted').length}`);
  assert.ok(kills.filter((k) => k.landed).length >= 5, 'at least half the kills landed inside their window');

  // The next open with the key completes the conversion, over a copy a kill left behind.
  const last = leftover ?? workspace();
  const finish = new AnnouncedProcess(['runs', '--data-dir', last]);
  assert.equal((await finish.exited).code, 0, finish.stderr);
  assert.equal(fileState(join(last, 'trimllm.db')), 'encrypted');
  assert.equal(existsSync(conversionCopyPath(join(last, 'trimllm.db'))), false, 'the leftover copy is gone');
  assert.deepEqual(contents(join(last, 'trimllm.db')), reference);
});
