// Runs on 2 threads as on 1 (stories260K, the bundled story-QA data). With soft dropping the trainer runs on the
// main thread alone (the fading scale is not in the workers), so the workers' copies of the weights go stale after
// the first step: the run's scans must not use them, and every scan equals the 1-thread run's bit for bit. A
// baseline trains data-parallel on the run's threads: the same weights within float summation order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadStories, repoPath } from '../helpers/shared.ts';
import { importDataset, type NormalisedRecord } from '../../engine/data/index.ts';
import { prepareTask } from '../../engine/trim/prepare.ts';
import { FIXED_RUN_SETTINGS, runTrimLLM, type RunSink, type TrimRunConfig } from '../../engine/trim/pipeline.ts';
import { runBaselines, type BaselineCheckpoint } from '../../engine/trim/baseline-runs.ts';
import { parseVariants } from '../../engine/trim/variants.ts';
import type { SubLayerScore } from '../../engine/trim/importance.ts';

const DATA = repoPath('resources/demo/story-qa.jsonl');
const QUIET: RunSink = { onStep: () => {}, onScan: () => {}, onCheckpoint: () => {}, onEntry: () => {}, onMessage: () => {} };

async function storyTask(maxTrain: number) {
  const base = await loadStories('wasm');
  const imported = await importDataset(DATA);
  const task = prepareTask(base.tokenizer!, imported.taskType, imported.records as NormalisedRecord[], { maxSeqLen: base.model.config.maxSeqLen, maxTrain, maxEval: 8, seed: 0 });
  base.model.dispose();
  return { task, tokenizer: base.tokenizer! };
}

test('soft-drop run on 2 threads: every calibration scan equals the 1-thread run\'s', async () => {
  const { task, tokenizer } = await storyTask(16);
  const config: TrimRunConfig = {
    ...FIXED_RUN_SETTINGS, method: 'both', sparseRatio: 0.25, dropsPerEpoch: 1, targets: { keptFraction: 0.8, maxEpochs: 4 },
    lr: 1e-2, microBatchSize: 8, calibrationSize: 8, seed: 0, baselines: [], variants: parseVariants('soft-drop'),
  };
  const scansOn = async (threads: number) => {
    const scans: SubLayerScore[][] = [];
    await runTrimLLM({
      loadBase: async () => (await loadStories('wasm')).model, tokenizer, task, config, threads,
      sink: { ...QUIET, onScan: (_e, scores) => void scans.push(scores) },
    });
    return scans;
  };
  const one = await scansOn(1);
  const two = await scansOn(2);
  assert.ok(one.length >= 3, `a scan before training and after each drop epoch (${one.length})`);
  assert.deepEqual(two, one);
});

test('a baseline on 2 threads trains data-parallel: its weights equal the 1-thread baseline\'s within 1e-4 relative', async () => {
  const { task, tokenizer } = await storyTask(32);
  const config: TrimRunConfig = {
    ...FIXED_RUN_SETTINGS, method: 'both', sparseRatio: 0.25, dropsPerEpoch: 1, targets: { keptFraction: 0.5, maxEpochs: 4 },
    lr: 1e-2, microBatchSize: 8, calibrationSize: 8, seed: 0, baselines: ['top'],
  };
  const trainedOn = async (threads: number) => {
    const out: BaselineCheckpoint[] = [];
    const messages: string[] = [];
    await runBaselines({ loadBase: async () => (await loadStories('wasm')).model, tokenizer, task, config, threads, sink: { ...QUIET, onMessage: (m) => void messages.push(m) } },
      1, null, (c) => void out.push(c));
    assert.ok(!messages.some((m) => m.includes('did not start')), messages.join('\n'));
    return out[0]!;
  };
  const one = await trainedOn(1);
  const two = await trainedOn(2);
  assert.deepEqual(two.keep, one.keep);
  assert.deepEqual(two.tensors.map((t) => t.name), one.tensors.map((t) => t.name));
  let changed = 0;
  one.tensors.forEach((t, i) => {
    const u = two.tensors[i]!;
    const scale = Math.max(...Array.from(t.data, Math.abs));
    const diff = Math.max(...Array.from(t.data, (v, k) => Math.abs(v - u.data[k]!)));
    assert.ok(diff <= 1e-4 * scale, `${t.name}: max difference ${diff} of scale ${scale}`);
    if (diff > 0) changed++;
  });
  assert.ok(changed > 0, 'the 2-thread step sums in another order (a pool was used)');
});
