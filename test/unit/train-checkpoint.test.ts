// Activation checkpointing (LlamaModel.checkpointActivations): the same loss and gradients as the plain
// training path (up to float32 summation order) for a sparse trainable set with a dropped sub-layer and a
// trainable embedding, on wasm and cpu; no tensor left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { randomModel } from '../../engine/bench/random-weights.ts';
import { randomTokenExamples } from '../../engine/bench/measure.ts';
import { llamaShape } from '../../engine/bench/shapes.ts';
import { makeBatch } from '../../engine/train/batch.ts';
import { microBatchGradients } from '../../engine/train/gradients.ts';
import { selectTrainable } from '../../engine/train/params.ts';

for (const backend of ['wasm', 'cpu'] as const) {
  test(`checkpointed blocks give the plain path's loss and gradients (${backend})`, async () => {
    await selectBackend(backend);
    const config = llamaShape({ dim: 32, nLayers: 3, nHeads: 4, nKvHeads: 2, hiddenDim: 64, vocabSize: 48, maxSeqLen: 32, tiedEmbeddings: true });
    const keep = [true, true, false, true, true, true]; // attn1 dropped
    const model = randomModel(config, 11, keep);
    const params = selectTrainable(model, { subLayers: ['attn0', 'mlp1', 'attn2'], embedding: true });
    const batch = makeBatch(randomTokenExamples(2, 12, config.vocabSize, 7));
    try {
      const plain = microBatchGradients(model, params, batch, batch.targetTokens);
      const tensors = tf.memory().numTensors;
      model.checkpointActivations = true;
      const checkpointed = microBatchGradients(model, params, batch, batch.targetTokens);
      model.checkpointActivations = false;
      assert.equal(tf.memory().numTensors, tensors + 1 + checkpointed.grads.size, 'only the loss and the gradients remain');
      assert.ok(Math.abs(plain.loss.dataSync()[0]! - checkpointed.loss.dataSync()[0]!) < 1e-6);
      assert.deepEqual([...checkpointed.grads.keys()].sort(), [...plain.grads.keys()].sort());
      assert.equal(plain.grads.size, params.length, 'every trainable weight has a gradient');
      for (const [name, g] of plain.grads) {
        const c = checkpointed.grads.get(name)!;
        const rel = tf.tidy(() => tf.max(tf.abs(tf.sub(g, c))).dataSync()[0]! / Math.max(1e-12, tf.max(tf.abs(g)).dataSync()[0]!));
        assert.ok(rel < 1e-5, `${name}: relative difference ${rel}`);
        assert.ok(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) > 0, `${name}: a gradient that is not all zeros`);
      }
      tf.dispose([plain.loss, checkpointed.loss, ...plain.grads.values(), ...checkpointed.grads.values()]);
    } finally {
      model.dispose();
    }
  });
}
