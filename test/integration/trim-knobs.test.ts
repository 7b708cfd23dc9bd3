// TrimLLM's knobs do what they say, on stories260K (5 blocks = 10 sub-layers) and the bundled story-QA data:
// the sparse update trains exactly ceil(r·2L) sub-layers in epoch 1 (every other weight bit-identical), the
// cosine learning rate reaches its floor at the last planned epoch (with heal-restart, the default: at the end of the
// drop phase and again at the end of healing, restarting at the peak), and --floor stops a CLI run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStories, repoPath, STORIES_BIN, TEST_DB_KEY } from '../helpers/shared.ts';
import { runCli } from '../helpers/cli.ts';
import { importDataset, type NormalisedRecord } from '../../engine/data/index.ts';
import { prepareTask } from '../../engine/trim/prepare.ts';
import { FIXED_RUN_SETTINGS, runTrimLLM, type RunSink, type TrimRunConfig } from '../../engine/trim/pipeline.ts';
import { DEFAULT_TRIM_VARIANTS, parseVariants } from '../../engine/trim/variants.ts';
import { plannedEpochs } from '../../engine/trim/progressive.ts';
import { namedWeights } from '../../engine/model/weights.ts';
import type { LlamaModel } from '../../engine/model/llama.ts';
import { keptNames } from '../../engine/model/sublayers.ts';
import { closeDatabase, listRuns, openDatabase } from '../../electron/store/index.ts';
import type { TrimReport } from '../../engine/report/types.ts';

const DATA = repoPath('resources/demo/story-qa.jsonl');

/** Every weight's values by name (copies). */
async function weightsOf(model: LlamaModel): Promise<Map<string, { subLayer: string | null; data: Float32Array }>> {
  const out = new Map<string, { subLayer: string | null; data: Float32Array }>();
  for (const w of namedWeights(model.weights)) out.set(w.hfName, { subLayer: w.subLayer, data: (await w.variable.data()) as Float32Array });
  return out;
}

test('epoch 1 changes exactly ceil(r·2L) sub-layers; without heal-restart the LR reaches its floor at the last planned epoch', async () => {
  const base = await loadStories();
  const before = await weightsOf(base.model);
  const imported = await importDataset(DATA);
  const task = prepareTask(base.tokenizer!, imported.taskType, imported.records as NormalisedRecord[], { maxSeqLen: base.model.config.maxSeqLen, maxTrain: 24, maxEval: 8, seed: 0 });
  base.model.dispose();
  const config: TrimRunConfig = {
    ...FIXED_RUN_SETTINGS, method: 'both', sparseRatio: 0.25, dropsPerEpoch: 1, targets: { keptFraction: 0.8, maxEpochs: 20 },
    lr: 1e-3, microBatchSize: 8, calibrationSize: 4, seed: 0, baselines: [], variants: parseVariants('no-heal-restart'),
  };
  let model: LlamaModel | undefined;
  let changed: string[] | undefined;
  let trainable: string[] | undefined;
  const steps: { epoch: number; lr: number }[] = [];
  const final = await runTrimLLM({
    loadBase: async () => (model = (await loadStories()).model),
    tokenizer: base.tokenizer!, task, config,
    sink: {
      onStep: (e) => void steps.push({ epoch: e.epoch, lr: e.lr }),
      onScan: () => {},
      onCheckpoint: async (c) => {
        if (changed) return;
        const after = await weightsOf(model!);
        const differs = [...after].filter(([name, w]) => !before.get(name)!.data.every((v, i) => Object.is(v, w.data[i])));
        assert.ok(differs.every(([, w]) => w.subLayer !== null), 'embedding, final norm and head are bit-identical');
        changed = [...new Set(differs.map(([, w]) => w.subLayer!))].sort();
        trainable = keptNames(c.state.trainable).sort();
      },
      onEntry: () => {},
      onMessage: () => {},
    },
  });
  const subLayers = 2 * 5;
  assert.equal(changed!.length, Math.ceil(0.25 * subLayers), `changed: ${changed!.join(',')}`);
  assert.deepEqual(changed, trainable, 'the changed sub-layers are the sparse-update set; all others are bit-identical');

  const planned = plannedEpochs(config, subLayers);
  assert.deepEqual(planned, { drop: 2, heal: 2, total: 4 });
  assert.equal(final.epochsDone, planned.total, 'the run lasted as planned');
  const floor = config.lr * config.minLrRatio;
  const firstAtFloor = steps.findIndex((s) => Math.abs(s.lr - floor) < 1e-12);
  const stepsPerEpoch = Math.ceil(task.train.length / config.microBatchSize);
  console.log(`LR: ${steps.length} steps over ${planned.total} planned epochs (${stepsPerEpoch} steps each); floor ${floor} first reached at step ${firstAtFloor + 1}`);
  assert.equal(steps.at(-1)!.epoch, planned.total);
  assert.ok(Math.abs(steps.at(-1)!.lr - floor) < 1e-12, `last step's LR ${steps.at(-1)!.lr} is the floor ${floor}`);
  assert.ok(firstAtFloor >= steps.length - 2, 'the floor is reached within one step of the end, not earlier');
});

test('heal-restart (the default): the LR reaches the floor at the end of the drop phase, restarts at the peak for healing, ends at the floor', async () => {
  const base = await loadStories();
  const imported = await importDataset(DATA);
  const task = prepareTask(base.tokenizer!, imported.taskType, imported.records as NormalisedRecord[], { maxSeqLen: base.model.config.maxSeqLen, maxTrain: 24, maxEval: 8, seed: 0 });
  base.model.dispose();
  const config: TrimRunConfig = {
    ...FIXED_RUN_SETTINGS, method: 'both', sparseRatio: 0.25, dropsPerEpoch: 1, targets: { keptFraction: 0.8, maxEpochs: 20 },
    lr: 1e-3, microBatchSize: 8, calibrationSize: 4, seed: 0, baselines: [], variants: DEFAULT_TRIM_VARIANTS,
  };
  const steps: { epoch: number; lr: number }[] = [];
  const sink: RunSink = { onStep: (e) => void steps.push({ epoch: e.epoch, lr: e.lr }), onScan: () => {}, onCheckpoint: () => {}, onEntry: () => {}, onMessage: () => {} };
  await runTrimLLM({ loadBase: async () => (await loadStories()).model, tokenizer: base.tokenizer!, task, config, sink });
  const planned = plannedEpochs(config, 10);
  assert.deepEqual(planned, { drop: 2, heal: 2, total: 4 });
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);
  const lastDrop = steps.filter((s) => s.epoch === planned.drop).at(-1)!;
  const firstHeal = steps.find((s) => s.epoch === planned.drop + 1)!;
  close(lastDrop.lr, 1e-4, 'last drop-phase step at the floor');
  close(firstHeal.lr, 1e-3, 'first healing step at the peak');
  close(steps.at(-1)!.lr, 1e-4, 'last healing step at the floor');
  assert.equal(steps.at(-1)!.epoch, planned.total);
  console.log(`heal-restart LR by step: ${steps.map((s) => s.lr.toExponential(2)).join(' ')}`);
});

test('trim --floor stops because of the floor: stop_reason in runs and in the report', () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-floor-'));
  const reportDir = join(work, 'report');
  const r = runCli(['trim', '--model', STORIES_BIN, '--data', DATA, '--data-dir', work, '--report-dir', reportDir,
    '--target', '0.1', '--max-epochs', '8', '--floor', '0.5', '--heal-epochs', '0', '--baselines', 'none',
    '--max-train', '16', '--max-eval', '24', '--calibration', '4']);
  assert.equal(r.status, 0, r.stderr);
  const db = openDatabase(join(work, 'trimllm.db'), { key: TEST_DB_KEY });
  try {
    assert.equal(listRuns(db)[0]!.stopReason, 'accuracy_floor');
  } finally {
    closeDatabase(db);
  }
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as TrimReport;
  assert.equal(report.stopReason, 'accuracy_floor');
  assert.ok(report.referencePerformance !== undefined && report.referencePerformance > 0);
  assert.ok(report.drops.length >= 1 && report.drops.length < 9, `${report.drops.length} drops: some made, stopped before the kept target`);
  assert.match(readFileSync(join(reportDir, 'report.md'), 'utf8'), /Dropping stopped: one more drop would have taken validation performance below the accuracy floor/);
  console.log(`floor run: ${report.drops.length} drops, reference ${report.referencePerformance}`);
});
