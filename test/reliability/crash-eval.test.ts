// A SIGKILL during an evaluation job (issue 18), twice, then a resume by running the same command again: no
// duplicate or partial rows, and the finished matrix equals an uninterrupted job's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { AnnouncedProcess } from '../helpers/kill-harness.ts';
import { sharedPath, STORIES_BIN, TEST_DB_KEY } from '../helpers/shared.ts';
import { checkIntegrity, closeDatabase, listCells, openDatabase, stmt } from '../../electron/store/index.ts';

const DATASETS = ['medmcqa', 'mmlu_economics', 'mmlu_professional_law', 'pubmedqa'];
const args = (dir: string) => ['eval', '--model', STORIES_BIN, '--data', DATASETS.map((d) => sharedPath(`datasets/${d}`)).join(','),
  '--max', '12', '--json', '--data-dir', dir];
const cellKey = (d: string) => `base stories260K × ${d}`;

/** The stored matrix (no ids, times or seconds) and the number of matrix rows. */
function storedMatrix(dir: string): { cells: unknown[]; rows: number } {
  const db = openDatabase(join(dir, 'trimllm.db'), { key: TEST_DB_KEY });
  try {
    assert.deepEqual(checkIntegrity(db), []);
    const rows = stmt<{ n: number }>(db, `SELECT count(*) AS n FROM evaluations WHERE task = 'matrix'`).get()!.n;
    const cells = listCells(db).map((c) => [c.datasetId, c.metric, c.value, c.stderr, c.recordCount, c.truncated, c.template, c.metrics]);
    return { cells, rows };
  } finally {
    closeDatabase(db);
  }
}

test('an evaluation job killed twice mid-cell resumes to the uninterrupted matrix, with no duplicate or partial row', async () => {
  const reference = mkdtempSync(join(tmpdir(), 'trimllm-eval-ref-'));
  const whole = runCli(args(reference));
  assert.equal(whole.status, 0, whole.stderr);
  const expected = storedMatrix(reference);
  assert.equal(expected.rows, 4);

  const dir = mkdtempSync(join(tmpdir(), 'trimllm-eval-kill-'));
  // Killed while scoring the 2nd cell, then (resumed) while scoring the 3rd.
  for (const [killAt, storedBefore] of [[DATASETS[1]!, 1], [DATASETS[2]!, 2]] as const) {
    const proc = new AnnouncedProcess(args(dir));
    assert.ok(await proc.waitFor(`eval-cell ${cellKey(killAt)}`), proc.stderr);
    const exit = await proc.kill();
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(!proc.announced(`eval-cell-stored ${cellKey(killAt)}`), 'the kill landed inside the cell');
    const after = storedMatrix(dir);
    assert.equal(after.rows, storedBefore, 'only whole cells are stored');
    assert.deepEqual(after.cells, expected.cells.slice(0, storedBefore));
  }
  const resumed = runCli(args(dir));
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /2 evaluated, 2 reused/);
  const lines = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { reused: boolean; dataset: string });
  assert.deepEqual(lines.map((l) => [l.dataset, l.reused]), DATASETS.map((d, i) => [d, i < 2]));
  assert.deepEqual(storedMatrix(dir), expected);
});
