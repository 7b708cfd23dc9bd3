import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressLine, formatDuration } from '../../electron/cli/progress.ts';
import { ruleBasedKeepMask } from '../../engine/trim/baselines.ts';
import { baselineKeptFraction } from '../../engine/trim/baseline-runs.ts';

test('progress: the first line of an epoch says ETA … (no rate yet), not ETA 0s', () => {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const p = new ProgressLine();
    p.update('trimllm', 1, 4, 40, 'loss 1.000');
  } finally {
    process.stderr.write = write;
  }
  assert.match(lines.join(''), /4\/40 loss 1\.000 ETA …/);
  assert.equal(formatDuration(65), '1m05s');
  assert.equal(formatDuration(NaN), '…');
});

test('rule-based baselines keep the size the TrimLLM run reached, else its target (label percent = kept share)', () => {
  assert.equal(baselineKeptFraction({ targets: { keptFraction: 0.7, maxEpochs: 3 } }, null), 0.7);
  assert.equal(baselineKeptFraction({ targets: { maxEpochs: 3 } }, null), 0.5);
  // the run stopped at 7/10 (max epochs) before its 0.5 target: the baselines are cut to 7/10 too
  const stoppedAt7 = [true, true, false, true, true, false, true, true, false, true];
  assert.equal(baselineKeptFraction({ targets: { keptFraction: 0.5, maxEpochs: 3 } }, stoppedAt7), 0.7);
  const keep = ruleBasedKeepMask(5, 'top', 1 - 0.7, 0);
  assert.deepEqual(keep, [true, true, true, true, true, true, true, false, false, false]);
});
