// The report puts a run's prediction next to the time it took: the words (hand-computed), a stored prediction
// and time read back into the report with the current execution's seconds, and validation of bad values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTiming, formatDuration } from '../../engine/report/duration.ts';
import { renderMarkdown } from '../../engine/report/markdown.ts';
import { validateReport, type TrimReport } from '../../engine/report/types.ts';
import { describePlan, describePhases } from '../../engine/trim/plan.ts';
import { estimateRun } from '../../engine/trim/estimate.ts';
import { runTiming } from '../../electron/app/run-prediction.ts';
import { addRunActiveSeconds, closeDatabase, createRun, importDataset, insertModel, openDatabase, setRunPrediction } from '../../electron/store/index.ts';

const report = (timing?: TrimReport['timing']): TrimReport => ({
  title: 'run 1', model: 'm', dataset: 'd', taskType: 'mcq', createdAt: '2026-01-01T00:00:00Z', config: {}, entries: [], losses: [], drops: [], nLayers: 2,
  ...(timing ? { timing } : {}),
});

test('durations and the prediction beside the time taken, in words', () => {
  assert.deepEqual([42, 90, 750, 8640].map(formatDuration), ['42 s', '1.5 min', '12.5 min', '2.4 h']);
  // (120 − 150) / 150 = −20%: the estimate was low
  assert.equal(describeTiming({ predicted: { seconds: 120, uncertainty: 12 }, actualSeconds: 150 }), 'predicted 2.0 min ± 12 s, took 2.5 min (the estimate was 20% low)');
  assert.equal(describeTiming({ actualSeconds: 8640 }), 'took 2.4 h');
});

test('a stored prediction appears in the report with the run\'s actual time (earlier executions + this one)', () => {
  const db = openDatabase(':memory:');
  try {
    const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: {} });
    const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, []);
    const runId = createRun(db, { modelId, datasetId, config: {}, seed: 0 });
    assert.deepEqual(runTiming(db, runId, 30), { actualSeconds: 30 }, 'no prediction: only the time');
    setRunPrediction(db, runId, { seconds: 3600, uncertainty: 600 });
    addRunActiveSeconds(db, runId, 2000); // interrupted after 2000 s, then resumed for 1000 s more
    const timing = runTiming(db, runId, 1000);
    assert.deepEqual(timing, { predicted: { seconds: 3600, uncertainty: 600 }, actualSeconds: 3000 });
    const md = renderMarkdown(report(timing));
    // (3600 − 3000) / 3000 = +20%: the estimate was high
    assert.ok(md.includes('\n- Time: predicted 1.0 h ± 10.0 min, took 50.0 min (the estimate was 20% high)\n'), md);
    assert.ok(!renderMarkdown(report()).includes('- Time:'), 'an older report without timing has no line');
  } finally {
    closeDatabase(db);
  }
});

test('a report with a negative or non-finite time is refused, naming the field', () => {
  validateReport(report({ actualSeconds: 1, predicted: { seconds: 2, uncertainty: 0 } }));
  assert.throws(() => validateReport(report({ actualSeconds: -1 })), /timing needs finite actualSeconds/);
  assert.throws(() => validateReport(report({ actualSeconds: 1, predicted: { seconds: NaN, uncertainty: 1 } })), /timing/);
});

test('the plan in plain words: time ± uncertainty, where most of it goes, and the memory verdict', () => {
  const exact = (seconds: number) => ({ seconds, spread: 0 });
  const estimate = estimateRun({ trainStep: exact(2), scanCandidate: exact(1), evalBatch: exact(0.5), decode: exact(1) }, {
    nSubLayers: 4, trainExamples: 10, validationItems: 20, testItems: 32, microBatchSize: 2, accumulationSteps: 1,
    dropsPerEpoch: 1, keptFraction: 0.5, maxEpochs: 10, baselines: ['full-finetune', 'random'], benchmarkRuns: 2, ggufDtypes: 0,
  });
  // 152.6625 s in all (plan-estimate.test.ts's hand-computed case), ± 15% of it; the baselines cost most
  const fits = { fits: true, message: null } as const;
  assert.equal(describePlan({ estimate, backend: 'wasm', fit: fits as never }),
    "about 2.5 min ± 23 s; most of the time goes to the comparison models; fits this computer's memory");
  const refused = { fits: false, message: 'a training step needs about 5.00 GiB … What would fit: a training window of 64 tokens.' };
  assert.equal(describePlan({ estimate, backend: 'wasm', fit: refused as never }),
    `about 2.5 min ± 23 s; most of the time goes to the comparison models; does not fit this computer's memory: ${refused.message}`);
  assert.match(describePlan({ estimate, backend: 'tensorflow', fit: refused as never }), /fits this computer's memory$/, 'no 4 GiB heap off wasm');
  assert.deepEqual(describePhases(estimate).slice(0, 2), ['finding which parts of the model matter (first pass): 3 s ± 0 s', 'fine-tuning the model while it is trimmed: 20 s ± 3 s']);
});
