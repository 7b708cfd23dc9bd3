import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { namedWeights } from '../../engine/model/weights.ts';
import { fullKeepMask, keepMaskWithout, type KeepMask } from '../../engine/model/sublayers.ts';
import { Trainer } from '../../engine/train/trainer.ts';
import { trainEpoch, type EpochOptions, type StepEvent } from '../../engine/train/epoch.ts';
import { disposeBatch, makeBatch, toTensors } from '../../engine/train/batch.ts';
import { causalLmLoss } from '../../engine/train/loss.ts';
import type { TrainingExample } from '../../engine/train/example.ts';
import { loadStories } from '../helpers/shared.ts';

const STORIES = [
  'Once upon a time, there was a little dog named Max. Max liked to run in the park.',
  'Lily had a red ball. She played with it every day in the garden with her mom.',
  'Tom saw a big cat on the tree. He was scared, but the cat was kind.',
  'The sun was hot, so Sue went to the lake to swim with her friends.',
];

/** Story sentences with the loss on their second half. */
function examples(loaded: LoadedModel): TrainingExample[] {
  return STORIES.map((text) => {
    const inputIds = loaded.tokenizer!.encode(text);
    return { inputIds, lossMask: inputIds.map((_, i) => (i >= inputIds.length / 2 ? 1 : 0)) };
  });
}

const epochOptions: EpochOptions = {
  microBatchSize: 2,
  accumulationSteps: 1,
  seed: 7,
  schedule: { peakLr: 1e-2, warmupSteps: 1, minLrRatio: 0.1 },
  totalSteps: 10,
};

/** Every weight's bytes, by Hugging Face name. */
async function snapshot(loaded: LoadedModel): Promise<Map<string, { subLayer: string | null; bytes: Buffer }>> {
  const out = new Map<string, { subLayer: string | null; bytes: Buffer }>();
  for (const n of namedWeights(loaded.model.weights)) {
    out.set(n.hfName, { subLayer: n.subLayer, bytes: Buffer.from(((await n.variable.data()) as Float32Array).buffer) });
  }
  return out;
}

test('sparse mask: only attn1 and mlp3 change; every other weight keeps its exact bits', async () => {
  const loaded = await loadStories('wasm');
  const before = await snapshot(loaded);
  const trainer = new Trainer(loaded.model, { trainable: { subLayers: ['attn1', 'mlp3'] } });
  assert.ok(trainer.optimizer.paramNames.every((n) => /layers\.(1\.(self_attn|input_layernorm)|3\.(mlp|post_att))/.test(n)));
  const r = await trainEpoch(trainer, examples(loaded), { ...epochOptions, totalSteps: 4 });
  const r2 = await trainEpoch(trainer, examples(loaded), { ...epochOptions, epoch: 1, totalSteps: 4 });
  assert.equal(r.steps + r2.steps, 4);
  const afterTraining = await snapshot(loaded);
  let changed = 0;
  for (const [name, w] of before) {
    const same = w.bytes.equals(afterTraining.get(name)!.bytes);
    if (w.subLayer === 'attn1' || w.subLayer === 'mlp3') {
      assert.ok(!same, `${name} (trainable) should change`);
      changed += 1;
    } else {
      assert.ok(same, `${name} (frozen) changed`);
    }
  }
  assert.equal(changed, 5 + 4); // attn: norm + q, k, v, o; mlp: norm + gate, up, down
  assert.equal(loaded.model.weights.blocks[1]!.wq.trainable, false, 'trainable flags are restored after a step');
  trainer.dispose();
  loaded.model.dispose();
});

test('dropped sub-layers are neither run nor trained, and their optimizer state is freed', async () => {
  const loaded = await loadStories('wasm');
  const trainer = new Trainer(loaded.model, { trainable: { subLayers: ['attn1', 'mlp3'] } });
  assert.equal(trainer.optimizer.paramNames.length, 9);
  loaded.model.keepMask = keepMaskWithout(5, ['attn1']);
  // not run: the step's loss (lr 0: no change) is the loss of the model without attn1, not of the full one
  const h = makeBatch(examples(loaded));
  const probe = await trainer.trainStep([h], 0);
  const lossWith = async (keep: KeepMask) => {
    const t = toTensors(h);
    const { logits } = loaded.model.forward(t.ids, { keep, paddingMask: t.paddingMask! });
    const l = causalLmLoss(logits, t.targets, t.targetMask);
    const value = (await l.loss.data())[0]!;
    tf.dispose([logits, l.loss, l.sum, l.tokenCount]);
    disposeBatch(t);
    return value;
  };
  assert.ok(Math.abs(probe.loss - (await lossWith(loaded.model.keepMask))) < 1e-6);
  assert.ok(Math.abs(probe.loss - (await lossWith(fullKeepMask(5)))) > 1e-3);
  const before = await snapshot(loaded);
  await trainEpoch(trainer, examples(loaded), epochOptions);
  assert.equal(trainer.optimizer.paramNames.length, 4); // mlp3 only
  const afterTraining = await snapshot(loaded);
  for (const [name, w] of before) {
    assert.equal(w.bytes.equals(afterTraining.get(name)!.bytes), w.subLayer !== 'mlp3', name);
  }
  loaded.model.keepMask = keepMaskWithout(5, ['attn1', 'mlp3']);
  await assert.rejects(trainEpoch(trainer, examples(loaded), epochOptions), /no trainable weights remain/);
  trainer.dispose();
  loaded.model.dispose();
});

test('leak test: a training step (accumulation, embedding trained) leaves tf.memory().numTensors unchanged', async () => {
  const loaded = await loadStories('wasm');
  const ex = examples(loaded);
  const beforeTrainer = tf.memory().numTensors;
  const trainer = new Trainer(loaded.model, { trainable: { embedding: true } }); // all sub-layers + embedding
  const created = tf.memory().numTensors - beforeTrainer;
  assert.equal(created, 2 * trainer.optimizer.paramNames.length, 'optimizer state: m and v per parameter');
  const embedding = Buffer.from(((await loaded.model.weights.embedding.data()) as Float32Array).buffer);
  const beforeStep = tf.memory().numTensors;
  await trainer.trainStep([makeBatch([ex[0]!, ex[1]!]), makeBatch([ex[2]!])], 1e-3);
  assert.equal(tf.memory().numTensors, beforeStep, 'after step 1');
  await trainer.trainStep([makeBatch(ex)], 1e-3);
  assert.equal(tf.memory().numTensors, beforeStep, 'after step 2');
  const trained = Buffer.from(((await loaded.model.weights.embedding.data()) as Float32Array).buffer);
  assert.ok(!trained.equals(embedding), 'the embedding trains on wasm (gather gradient)');
  trainer.dispose();
  assert.equal(tf.memory().numTensors, beforeTrainer, 'after dispose');
  loaded.model.dispose();
});

test('gradient accumulation averages over all target tokens of the step', async () => {
  const a = await loadStories('wasm');
  const b = await loadStories('wasm');
  const ex = examples(a);
  const ta = new Trainer(a.model);
  const tb = new Trainer(b.model);
  const one = await ta.trainStep([makeBatch(ex)], 1e-3); // one micro-batch of 4
  const two = await tb.trainStep([makeBatch(ex.slice(0, 1)), makeBatch(ex.slice(1))], 1e-3); // 1 + 3
  assert.equal(one.targetTokens, two.targetTokens);
  assert.ok(Math.abs(one.loss - two.loss) < 1e-5, `${one.loss} vs ${two.loss}`);
  assert.ok(Math.abs(one.gradNorm - two.gradNorm) < 1e-4 * one.gradNorm, `${one.gradNorm} vs ${two.gradNorm}`);
  const next = [await ta.trainStep([makeBatch(ex)], 1e-3), await tb.trainStep([makeBatch(ex)], 1e-3)];
  assert.ok(Math.abs(next[0]!.loss - next[1]!.loss) < 1e-3, `${next[0]!.loss} vs ${next[1]!.loss}`);
  [ta, tb].forEach((t) => t.dispose());
  [a, b].forEach((m) => m.model.dispose());
});

test('onStep reports progress and an AbortSignal stops cleanly between steps', async () => {
  const loaded = await loadStories('wasm');
  const trainer = new Trainer(loaded.model, { trainable: { subLayers: ['mlp4'] } });
  const controller = new AbortController();
  const events: StepEvent[] = [];
  const r = await trainEpoch(trainer, examples(loaded), {
    ...epochOptions,
    microBatchSize: 1,
    signal: controller.signal,
    onStep: (e) => {
      events.push(e);
      if (e.step === 2) controller.abort();
    },
  });
  assert.equal(r.aborted, true);
  assert.equal(r.steps, 2);
  assert.equal(r.examplesDone, 2);
  assert.deepEqual(events.map((e) => [e.step, e.epoch, e.examplesDone, e.examplesTotal]), [[1, 0, 1, 4], [2, 0, 2, 4]]);
  assert.ok(Math.abs(events[0]!.lr - 1e-2) < 1e-12, 'step 0 of a 1-step warm-up runs at the peak');
  assert.ok(events.every((e) => e.loss > 0 && e.tokensPerSecond > 0 && e.gradNorm > 0));
  assert.equal(trainer.step, 2);
  await assert.rejects(
    trainEpoch(trainer, [{ inputIds: [1, 2], lossMask: [0, 0] }], epochOptions),
    /training example 0: no target token/,
  );
  trainer.dispose();
  loaded.model.dispose();
});
