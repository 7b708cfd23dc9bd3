// Issue 18 must-show: after a small trim on medmcqa, the base model, the full fine-tune (a baseline stored as a
// checkpoint of the run) and two TrimLLM checkpoints evaluated on
// medmcqa, pubmedqa, mmlu_professional_law and mmlu_economics (100 records each; pubmedqa's test split has 50):
// the matrix in the CLI, the lm-evaluation-harness results files, and a repeated request that reuses every cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, sharedPath, STORIES_BIN, TEST_DB_KEY, TEST_KEY_ENV } from '../helpers/shared.ts';
import { closeDatabase, listCells, listCheckpoints, openDatabase, stmt } from '../../electron/store/index.ts';
import { isBaselineCheckpoint } from '../../electron/app/execute-run.ts';

const DATASETS = ['medmcqa', 'pubmedqa', 'mmlu_professional_law', 'mmlu_economics'];

/** Runs the CLI (the trim and the matrix take minutes on a loaded 2-core machine: runCli's 120 s is too short). */
function cli(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [repoPath('bin/trimllm.mjs'), ...args], {
    cwd: repoPath(''), encoding: 'utf8', timeout: 900_000, env: { ...process.env, ...TEST_KEY_ENV },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Row { model: string; checkpoint_id: number | null; dataset: string; n: number; acc: number; acc_stderr: number; acc_norm: number; acc_norm_stderr: number; value: number; stderr: number; reused: boolean }

test('trim on medmcqa, then base + full fine-tune + two checkpoints × four datasets: JSON rows, the matrix table, lm-eval files, reuse', () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-evalm-'));
  const trim = cli(['trim', '--model', STORIES_BIN, '--data', sharedPath('datasets/medmcqa'), '--data-dir', work, '--target', '0.8',
    '--heal-epochs', '0', '--baselines', 'full-finetune', '--baseline-epochs', '1', '--max-train', '16', '--max-eval', '6', '--calibration', '4']);
  assert.equal(trim.status, 0, trim.stderr);
  const db0 = openDatabase(join(work, 'trimllm.db'), { key: TEST_DB_KEY });
  const all = listCheckpoints(db0, 1);
  const fullFinetune = all.filter((c) => isBaselineCheckpoint(c.metrics)).map((c) => c.id);
  const checkpoints = [...fullFinetune, ...all.filter((c) => !isBaselineCheckpoint(c.metrics)).slice(0, 2).map((c) => c.id)];
  closeDatabase(db0);
  assert.equal(fullFinetune.length, 1, 'the full fine-tune is stored as a checkpoint');
  assert.equal(checkpoints.length, 3);

  const data = DATASETS.map((d) => sharedPath(`datasets/${d}`)).join(',');
  const lmDir = join(work, 'lm-eval');
  const first = cli(['eval', '--checkpoint', checkpoints.join(','), '--model', STORIES_BIN, '--data', data, '--max', '100', '--json',
    '--output-lm-eval', lmDir, '--data-dir', work]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /16 evaluated, 0 reused/);
  const rows = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as Row);
  assert.equal(rows.length, 16);
  assert.deepEqual(rows.map((r) => r.checkpoint_id), [null, null, null, null, ...checkpoints.flatMap((c) => [c, c, c, c])]);
  assert.deepEqual(rows.map((r) => r.dataset), [...DATASETS, ...DATASETS, ...DATASETS, ...DATASETS]);
  for (const r of rows) {
    assert.equal(r.n, r.dataset === 'pubmedqa' ? 50 : 100, r.dataset);
    assert.equal(r.value, r.acc);
    assert.ok(Math.abs(r.acc_stderr - Math.sqrt((r.acc * (1 - r.acc)) / (r.n - 1))) < 1e-12, 'harness mean_stderr');
    assert.ok(r.acc >= 0 && r.acc <= 1 && r.acc_norm >= 0 && r.acc_norm <= 1);
  }

  // The table: models as rows, datasets as columns, each cell acc ± stderr of the same stored numbers.
  const table = cli(['eval', '--checkpoint', checkpoints.join(','), '--model', STORIES_BIN, '--data', data, '--max', '100',
    '--format', 'table', '--data-dir', work]);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stderr, /0 evaluated, 16 reused/);
  const lines = table.stdout.trim().split('\n');
  assert.equal(lines.length, 5);
  assert.deepEqual(lines[0]!.split(/\s{2,}/), ['model', ...DATASETS]);
  assert.match(lines[1]!, /^base stories260K /);
  lines.slice(1).forEach((line, i) => {
    const cells = line.match(/\d\.\d{3} ± \d\.\d{3}/g)!;
    assert.deepEqual(cells, rows.slice(i * 4, i * 4 + 4).map((r) => `${r.acc.toFixed(3)} ± ${r.acc_stderr.toFixed(3)}`));
  });

  // lm-evaluation-harness layout, one file per model, with our evaluator's numbers.
  const files = readdirSync(lmDir).sort();
  assert.equal(files.length, 4);
  const base = JSON.parse(readFileSync(join(lmDir, 'base_stories260k.json'), 'utf8')) as {
    results: Record<string, Record<string, number>>; versions: Record<string, number>; config: Record<string, unknown>;
  };
  assert.deepEqual(Object.keys(base).sort(), ['config', 'results', 'versions']);
  assert.deepEqual(Object.keys(base.results), DATASETS);
  assert.deepEqual(Object.keys(base.versions), DATASETS);
  for (const k of ['model', 'model_args', 'num_fewshot', 'batch_size', 'device', 'no_cache', 'limit', 'bootstrap_iters', 'description_dict']) {
    assert.ok(k in base.config, k);
  }
  assert.equal(base.config.limit, 100);
  assert.equal(base.config.num_fewshot, 0);
  DATASETS.forEach((d, i) => {
    assert.deepEqual(Object.keys(base.results[d]!), ['acc', 'acc_stderr', 'acc_norm', 'acc_norm_stderr']);
    assert.equal(base.results[d]!.acc, rows[i]!.acc);
    assert.equal(base.results[d]!.acc_norm, rows[i]!.acc_norm);
  });
  // The single-file evaluator on the same records (seed 0, first 100 of a seeded sample of the test split).
  const single = cli(['eval', '--model', STORIES_BIN, '--data', sharedPath('datasets/medmcqa'), '--max', '100', '--json']);
  assert.equal(single.status, 0, single.stderr);
  const direct = JSON.parse(single.stdout) as { acc: number; acc_norm: number; n: number };
  assert.deepEqual([direct.n, direct.acc, direct.acc_norm], [100, base.results.medmcqa!.acc, base.results.medmcqa!.acc_norm]);

  // The repeated request stored nothing new.
  const db = openDatabase(join(work, 'trimllm.db'), { key: TEST_DB_KEY });
  try {
    assert.equal(stmt<{ n: number }>(db, `SELECT count(*) AS n FROM evaluations WHERE task = 'matrix'`).get()!.n, 16);
    assert.equal(listCells(db, { runId: 1 }).length, 16, 'the run\'s base model and checkpoints');
  } finally {
    closeDatabase(db);
  }
  console.log(`matrix (base, full fine-tune = ${fullFinetune[0]}, ${checkpoints.map((c) => `checkpoint ${c}`).join(', ')}; acc ± stderr):\n${table.stdout}`);
});
