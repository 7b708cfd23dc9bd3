import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { sharedPath, STORIES_BIN, TEST_DB_KEY } from '../helpers/shared.ts';
import { openDatabase, closeDatabase, checkIntegrity, listCheckpoints, listRuns } from '../../electron/store/index.ts';
import type { TrimReport } from '../../engine/report/types.ts';

test('trim on Grimm fairy tales: checkpoints in SQLite, a report with base, baseline and every drop', () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-trim-'));
  const reportDir = join(work, 'report');
  const r = runCli(['trim', '--model', STORIES_BIN, '--data', sharedPath('datasets/grimm_fairy_tales'),
    '--data-dir', work, '--report-dir', reportDir, '--target', '0.8', '--heal-epochs', '1', '--baselines', 'bottom',
    '--max-train', '16', '--max-eval', '6', '--calibration', '4', '--window', '48']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /run 1 completed; report: .*report\.md/);
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as TrimReport;
  const kinds = report.entries.map((e) => e.kind);
  assert.deepEqual(kinds.filter((k) => k === 'trimllm').length, 3); // 2 drops + 1 healed
  assert.ok(kinds.includes('base') && kinds.includes('baseline-bottom'));
  assert.equal(report.drops.length, 2);
  for (const e of report.entries) {
    assert.ok(e.performance >= 0 && e.performance <= 1 && e.paramBytes > 0 && e.decodeTokensPerSecond > 0, e.name);
  }
  const healed = report.entries.find((e) => e.name.includes('heal'))!;
  assert.equal(healed.kept.length, 8);
  for (const f of ['report.md', 'loss.svg', 'layer-map.svg', 'frontier.svg']) assert.ok(existsSync(join(reportDir, f)), f);
  // Measured when the run started (no estimate was made before it): the prediction beside the time taken.
  assert.ok(report.timing?.predicted && report.timing.predicted.seconds > 0 && report.timing.actualSeconds > 0, JSON.stringify(report.timing));
  assert.match(readFileSync(join(reportDir, 'report.md'), 'utf8'), /\n- Time: predicted \S+ (s|min|h) ± \S+ (s|min|h), took \S+ (s|min|h) \(the estimate was \d+% (high|low)\)\n/);
  const db = openDatabase(join(work, 'trimllm.db'), { key: TEST_DB_KEY });
  try {
    assert.deepEqual(checkIntegrity(db), []);
    assert.equal(listRuns(db)[0]!.status, 'completed');
    const labels = listCheckpoints(db, 1).map((c) => c.label);
    assert.deepEqual(labels, [report.entries[0]!.name.replace(/^trimllm (.*) \(\d+\/\d+\)$/, '$1'), labels[1], 'heal 1', 'done', 'bottom 80% + fine-tune']);
  } finally {
    closeDatabase(db);
  }
});
