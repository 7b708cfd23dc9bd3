/**
 * Crash safety of dataset import and of chat messages (issue 6, item 1): 10 SIGKILLs each, from outside, at
 * seeded random moments (TRIMLLM_CRASH_SEED) of `trimllm import-data` (while reading, and while writing its
 * records) and of `trimllm chat --save` (while generating a reply).
 *
 * Invariants checked after every kill, besides `PRAGMA integrity_check`:
 * - a dataset is all there (its stored split counts match its records and the uninterrupted import) or absent;
 *   a dataset imported earlier is unchanged;
 * - a chat's messages are a prefix of the uninterrupted conversation: a reply is stored once, complete with its
 *   statistics, when its generation ends, so a kill mid-generation leaves the user's message unanswered and
 *   never a partial reply; messages stored earlier are unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../engine/random.ts';
import { sharedPath, STORIES_BIN, STORIES_TOK, TEST_DB_KEY } from '../helpers/shared.ts';
import { AnnouncedProcess, killInWindow, phaseWindows, tally, type KillResult, type PhaseWindow } from '../helpers/kill-harness.ts';
import {
  checkIntegrity, closeDatabase, listChatMessages, listChats, listDatasets, listRecords, openDatabase, SPLITS,
} from '../../electron/store/index.ts';

const SEED = Number(process.env.TRIMLLM_CRASH_SEED ?? 6001);
const KILLS = 10;

/** Runs `make()` KILLS times, killing each process in a window drawn by `pick`, then calls `check`. */
async function killRepeatedly(
  make: () => AnnouncedProcess, pick: () => PhaseWindow, rand: () => number,
  check: (kill: KillResult, n: number, proc: AnnouncedProcess) => void,
): Promise<KillResult[]> {
  const kills: KillResult[] = [];
  for (let n = 1; n <= KILLS; n++) {
    const proc = make();
    const kill = await killInWindow(proc, pick(), rand, 0.7);
    assert.ok(kill.killed, `process ${n} reached "${kill.window.anchor}" and was killed:\n${proc.stderr}`);
    kills.push(kill);
    check(kill, n, proc);
  }
  return kills;
}

/** Per dataset: its stored counts, its records' count per split and a hash of its payloads. */
function datasetsOf(dbPath: string) {
  const db = openDatabase(dbPath, { key: TEST_DB_KEY });
  try {
    assert.deepEqual(checkIntegrity(db), []);
    return listDatasets(db).sort((a, b) => a.id - b.id).map((d) => {
      const h = createHash('sha256');
      const rows: Record<string, number> = {};
      for (const split of SPLITS) {
        const records = listRecords(db, d.id, split);
        rows[split] = records.length;
        for (const r of records) h.update(JSON.stringify(r.payload));
      }
      return { id: d.id, counts: { ...d.counts }, rows, hash: h.digest('hex') };
    });
  } finally {
    closeDatabase(db);
  }
}

test('10 SIGKILLs during dataset import: every dataset is complete or absent, earlier ones unchanged', async (t) => {
  const rand = createRng(SEED + 1);
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-crash-import-'));
  const dbPath = join(dir, 'trimllm.db');
  const args = ['import-data', sharedPath('datasets/fiqa_sa_pixiu'), '--data-dir', dir];
  const straight = new AnnouncedProcess(args);
  assert.equal((await straight.exited).code, 0, straight.stderr);
  const [reference] = datasetsOf(dbPath);
  assert.ok(reference && reference.rows.train > 1000, 'a large-ish dataset was imported');
  assert.deepEqual(reference.rows, reference.counts);
  const windows = phaseWindows(straight.events, { 'import-write': 'read', 'import-done': 'write' });
  assert.deepEqual(windows.map((w) => w.phase), ['read', 'write']);

  let known = 1;
  const [read, write] = windows as [PhaseWindow, PhaseWindow];
  const kills = await killRepeatedly(() => new AnnouncedProcess(args), () => (rand() < 0.3 ? read : write), rand, (kill, n, proc) => {
    const datasets = datasetsOf(dbPath);
    assert.deepEqual(datasets[0], reference, `kill ${n}: the dataset imported first is unchanged`);
    for (const d of datasets) {
      assert.deepEqual(d.rows, reference.rows, `kill ${n}: dataset ${d.id} is complete`);
      assert.equal(d.hash, reference.hash, `kill ${n}: dataset ${d.id} holds the same records`);
    }
    // Killed before the write began: nothing new; after the import announced its end: the one import, whole;
    // in between: either (the transaction committed or not).
    const grew = datasets.length - known;
    const where = `kill ${n} (${kill.window.phase}, landed ${kill.landed})`;
    if (!proc.announced(write.anchor)) assert.equal(grew, 0, where);
    else if (proc.announced(write.close)) assert.equal(grew, 1, where);
    else assert.ok(grew === 0 || grew === 1, where);
    known = datasets.length;
  });
  t.diagnostic(`import kills survived: ${kills.length}; per window ${JSON.stringify(tally(kills, (k) => k.window.phase))}; ` +
    `inside the window ${JSON.stringify(tally(kills.filter((k) => k.landed), (k) => k.window.phase))}`);
  assert.ok(kills.filter((k) => k.landed && k.window.phase === 'write').length >= 3, 'kills landed while records were written');
});

test('10 SIGKILLs during chat generation: stored messages are a prefix of the full conversation, never a partial reply', async (t) => {
  const rand = createRng(SEED + 2);
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-crash-chat-'));
  const dbPath = join(dir, 'trimllm.db');
  const args = ['chat', '--model', STORIES_BIN, '--tokenizer', STORIES_TOK, '--save', '--data-dir', dir, '--temperature', '0',
    '--max-tokens', '96', '--message', 'Once upon a time there was a cat.', '--message', 'What did the cat do next?'];
  const conversations = () => {
    const db = openDatabase(dbPath, { key: TEST_DB_KEY });
    try {
      assert.deepEqual(checkIntegrity(db), []);
      return listChats(db).reverse().map((c) => listChatMessages(db, c.id).map((m) => ({ role: m.role, content: m.content, tokens: (m.stats as { tokens?: number } | null)?.tokens })));
    } finally {
      closeDatabase(db);
    }
  };
  const straight = new AnnouncedProcess(args);
  assert.equal((await straight.exited).code, 0, straight.stderr);
  const [reference] = conversations();
  assert.deepEqual(reference!.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
  assert.ok(reference!.every((m) => m.role === 'user' || m.tokens! > 0), 'replies carry their statistics');
  const windows = phaseWindows(straight.events, { 'generate-done': 'generate' });
  assert.equal(windows.length, 2);

  const kills = await killRepeatedly(() => new AnnouncedProcess(args), () => windows[rand() < 0.5 ? 0 : 1]!, rand, (kill, n) => {
    const chats = conversations();
    assert.deepEqual(chats[0], reference, `kill ${n}: the first conversation is unchanged`);
    for (const chat of chats) assert.deepEqual(chat, reference!.slice(0, chat.length), `kill ${n}: a prefix of the conversation, replies whole`);
    const stored = chats.at(-1)!.length;
    const asked = kill.window.close === 'generate-done message 2' ? 1 : 3; // messages stored when that reply began
    if (kill.landed) assert.equal(stored, asked, `kill ${n} mid-generation: the question is stored, no partial reply`);
    else assert.ok(stored > asked, `kill ${n} after the reply: it is stored`);
  });
  t.diagnostic(`chat kills survived: ${kills.length}; inside generation ${kills.filter((k) => k.landed).length}`);
  assert.ok(kills.filter((k) => k.landed).length >= 3, 'kills landed while a reply was being generated');
});
