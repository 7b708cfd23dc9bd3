import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { scanSubLayers, rankByImportance } from '../../engine/trim/importance.ts';
import { performance } from '../../engine/trim/measure.ts';
import { randomTokenExamples } from '../../engine/bench/measure.ts';
import { keepMaskWithout, type KeepMask } from '../../engine/model/sublayers.ts';
import type { Evaluable } from '../../engine/trim/prepare.ts';
import { loadStories } from '../helpers/shared.ts';

let loaded: LoadedModel;
before(async () => {
  loaded = await loadStories('wasm');
  const ids = tf.tensor2d([[1, 2]], undefined, 'int32');
  tf.dispose([ids, loaded.model.forward(ids).logits]); // builds the fused inference copies (llama.ts derived)
});
after(() => loaded.model.dispose());

/** 12 sequences of 24 random tokens plus 4 shorter ones (two batches of the evaluator's 16, with padding). */
const calibration = (): Evaluable => ({
  kind: 'tokens',
  examples: [...randomTokenExamples(12, 24, 512, 7), ...randomTokenExamples(8, 11, 512, 8)],
});

async function scanWith(keep: KeepMask, reusePrefix: boolean) {
  const { model, tokenizer } = loaded;
  const data = calibration();
  const start = model.subLayerEvaluations;
  const scores = await scanSubLayers(model, keep, (k) => performance(model, tokenizer!, data, k), new Map(), { reusePrefix });
  return { scores, evaluations: model.subLayerEvaluations - start };
}

test('scan with prefix reuse: same scores and ranking as the naive scan, fewer sub-layer evaluations (counted)', async () => {
  const before = tf.memory().numTensors;
  for (const keep of [keepMaskWithout(5, []), keepMaskWithout(5, ['attn1', 'mlp3', 'mlp4'])]) {
    const naive = await scanWith(keep, false);
    const reuse = await scanWith(keep, true);
    assert.deepEqual(reuse.scores, naive.scores, 'scores equal bit for bit');
    assert.deepEqual(rankByImportance(reuse.scores, 'both').map((s) => s.subLayer), rankByImportance(naive.scores, 'both').map((s) => s.subLayer));
    assert.ok(naive.scores.some((s) => s.calibrationPerformance !== naive.scores[0]!.calibrationPerformance), 'scores differ across candidates');
    // k kept sub-layers, 2 batches: naive k·(k−1) per batch; reuse: the prefixes add up to one pass through the
    // first k−1 sub-layers, the suffixes to (k−1) + (k−2) + … + 0.
    const k = keep.filter(Boolean).length;
    assert.equal(naive.evaluations, 2 * k * (k - 1));
    assert.equal(reuse.evaluations, 2 * ((k - 1) + (k * (k - 1)) / 2));
  }
  assert.equal(tf.memory().numTensors, before, 'the session frees its streams');
});

test('prefix reuse: out-of-order candidates and other masks fall back to a full pass with identical logits', async () => {
  const { model } = loaded;
  const base = keepMaskWithout(5, ['mlp2']);
  const ids = tf.tensor2d([[1, 45, 300, 7, 99, 12]], undefined, 'int32');
  const masks = [keepMaskWithout(5, ['mlp2', 'attn3']), keepMaskWithout(5, ['mlp2', 'attn0']), keepMaskWithout(5, ['attn1']), base];
  const plain = masks.map((keep) => model.forward(ids, { keep }).logits);
  const session = model.startPrefixReuse(base);
  const reused = masks.map((keep) => model.forward(ids, { keep }).logits);
  session.dispose();
  for (let i = 0; i < masks.length; i++) assert.deepEqual(await reused[i]!.data(), await plain[i]!.data(), `mask ${i}`);
  assert.equal(session.droppedIndex(masks[0]!), -1, 'a disposed session reuses nothing');
  tf.dispose([ids, ...plain, ...reused]);
});
