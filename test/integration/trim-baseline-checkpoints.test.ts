// Issue 15: every baseline is a checkpoint of its run; loaded back from the database it scores what the report says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { sharedPath, STORIES_BIN, TEST_DB_KEY } from '../helpers/shared.ts';
import { openDatabase, closeDatabase, listCheckpoints, listRuns, getDataset } from '../../electron/store/index.ts';
import { isBaselineCheckpoint, loadRecords, type BaselineCheckpointMetrics } from '../../electron/app/execute-run.ts';
import type { StoredRunConfig } from '../../electron/app/run-config.ts';
import { loadCheckpointModel } from '../../electron/app/checkpoint-model.ts';
import { prepareTask } from '../../engine/trim/prepare.ts';
import { evaluateTextTokens } from '../../engine/eval/text-tokens.ts';
import type { TaskType } from '../../engine/data/index.ts';
import type { TrimReport } from '../../engine/report/types.ts';

test('baselines (full fine-tune, Block Influence, angular, random) are stored as checkpoints and re-measure as reported', async () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-baselines-'));
  const reportDir = join(work, 'report');
  const data = sharedPath('datasets/grimm_fairy_tales');
  const r = runCli(['trim', '--model', STORIES_BIN, '--data', data, '--data-dir', work, '--report-dir', reportDir,
    '--target', '0.8', '--heal-epochs', '1', '--baselines', 'full-finetune,block-influence,angular,random',
    '--max-train', '16', '--max-eval', '6', '--calibration', '4', '--window', '48']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as TrimReport;
  assert.match(readFileSync(join(reportDir, 'report.md'), 'utf8'), /% ± \d+\.\d/, 'performance is shown with its standard error');
  const db = openDatabase(join(work, 'trimllm.db'), { key: TEST_DB_KEY });
  let angularId = 0;
  try {
    const run = listRuns(db)[0]!;
    const baselines = listCheckpoints(db, run.id).filter((c) => isBaselineCheckpoint(c.metrics));
    assert.deepEqual(baselines.map((c) => (c.metrics as BaselineCheckpointMetrics).baseline), ['full-finetune', 'block-influence', 'angular', 'random']);
    const config = run.config as StoredRunConfig;
    const dataset = getDataset(db, run.datasetId)!;
    for (const cp of baselines) {
      const { entry } = cp.metrics as BaselineCheckpointMetrics;
      assert.ok(report.entries.some((e) => e.name === entry.name && e.performance === entry.performance), `${entry.name} is in the report`);
      assert.equal(cp.keepMask.filter(Boolean).length, entry.kept.length, `${entry.name}: keep mask`);
      const { model, tokenizer } = await loadCheckpointModel(db, cp.id);
      try {
        const task = prepareTask(tokenizer!, dataset.taskType as TaskType, loadRecords(db, dataset.id), {
          maxSeqLen: model.config.maxSeqLen, seed: config.seed, ...config.limits,
        });
        assert.equal(task.test.kind, 'tokens');
        const again = await evaluateTextTokens(model, task.test.kind === 'tokens' ? task.test.examples : [], { keep: model.keepMask, batchSize: 16 });
        assert.equal(again.accuracy, entry.performance, `${entry.name}: loaded back from the database`);
        assert.equal(again.tokens, entry.scored);
      } finally {
        model.dispose();
      }
    }
    const blockInfluence = baselines.find((c) => (c.metrics as BaselineCheckpointMetrics).baseline === 'block-influence')!;
    assert.equal(blockInfluence.keepMask.filter((k) => !k).length, 2, 'the same kept size as TrimLLM (8/10)');
    angularId = baselines[2]!.id;
  } finally {
    closeDatabase(db);
  }
  const evalRun = runCli(['eval', '--checkpoint', String(angularId), '--data', data, '--data-dir', work, '--max', '6']);
  assert.equal(evalRun.status, 0, evalRun.stderr);
});

test('--seeds 2 runs two seeds and writes their spread (seeds.md) beside the per-seed reports', () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-seeds-'));
  const reportDir = join(work, 'report');
  const r = runCli(['trim', '--model', STORIES_BIN, '--data', sharedPath('datasets/grimm_fairy_tales'), '--data-dir', work,
    '--report-dir', reportDir, '--seeds', '2', '--target', '0.9', '--heal-epochs', '1', '--baselines', 'none',
    '--max-train', '8', '--max-eval', '4', '--calibration', '2', '--window', '32']);
  assert.equal(r.status, 0, r.stderr);
  const seeds = readFileSync(join(reportDir, 'seeds.md'), 'utf8');
  const perSeed = [0, 1].map((s) => (JSON.parse(readFileSync(join(reportDir, `seed-${s}`, 'report.json'), 'utf8')) as TrimReport).entries.filter((e) => e.kind === 'trimllm').at(-1)!.performance);
  const mean = (100 * (perSeed[0]! + perSeed[1]!)) / 2;
  assert.match(seeds, new RegExp(`\\| TrimLLM this run \\(9/10\\) \\| ${mean.toFixed(2).replace('.', '\\.')} ± \\d+\\.\\d+ \\(n=2\\)`));
  assert.equal(runCli(['trim', '--model', STORIES_BIN, '--data', 'x', '--seeds', '2']).status, 2, '--seeds needs --report-dir');
});
