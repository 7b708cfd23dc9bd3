// A TrimLLM run on 2 threads scores sub-layers as on 1 thread (stories260K, the bundled story-QA data). With soft
// dropping the trainer runs on the main thread alone (the fading scale is not in the workers), so the workers'
// copies of the weights go stale after the first step: the run's scans must not use them, and every scan equals
// the 1-thread run's bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadStories, repoPath } from '../helpers/shared.ts';
import { importDataset, type NormalisedRecord } from '../../engine/data/index.ts';
import { prepareTask } from '../../engine/trim/prepare.ts';
import { FIXED_RUN_SETTINGS, runTrimLLM, type TrimRunConfig } from '../../engine/trim/pipeline.ts';
import { parseVariants } from '../../engine/trim/variants.ts';
import type { SubLayerScore } from '../../engine/trim/importance.ts';

const DATA = repoPath('resources/demo/story-qa.jsonl');

test('soft-drop run on 2 threads: every calibration scan equals the 1-thread run\'s', async () => {
  const base = await loadStories('wasm');
  const imported = await importDataset(DATA);
  const task = prepareTask(base.tokenizer!, imported.taskType, imported.records as NormalisedRecord[], { maxSeqLen: base.model.config.maxSeqLen, maxTrain: 16, maxEval: 8, seed: 0 });
  base.model.dispose();
  const config: TrimRunConfig = {
    ...FIXED_RUN_SETTINGS, method: 'both', sparseRatio: 0.25, dropsPerEpoch: 1, targets: { keptFraction: 0.8, maxEpochs: 4 },
    lr: 1e-2, microBatchSize: 8, calibrationSize: 8, seed: 0, baselines: [], variants: parseVariants('soft-drop'),
  };
  const scansOn = async (threads: number) => {
    const scans: SubLayerScore[][] = [];
    await runTrimLLM({
      loadBase: async () => (await loadStories('wasm')).model, tokenizer: base.tokenizer!, task, config, threads,
      sink: { onStep: () => {}, onScan: (_e, scores) => void scans.push(scores), onCheckpoint: () => {}, onEntry: () => {}, onMessage: () => {} },
    });
    return scans;
  };
  const one = await scansOn(1);
  const two = await scansOn(2);
  assert.ok(one.length >= 3, `a scan before training and after each drop epoch (${one.length})`);
  assert.deepEqual(two, one);
});
