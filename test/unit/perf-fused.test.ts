import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { randomModel } from '../../engine/bench/random-weights.ts';
import { llamaShape } from '../../engine/bench/shapes.ts';
import type { LlamaModel } from '../../engine/model/llama.ts';

const config = { ...llamaShape({ dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 48, vocabSize: 50, maxSeqLen: 32 }), qkvBias: true };

async function logits(model: LlamaModel, fuse: boolean): Promise<Float32Array> {
  model.fuseProjections = fuse;
  const ids = tf.tensor2d([[1, 7, 3, 9, 2, 44]], undefined, 'int32');
  const { logits: l } = model.forward(ids);
  const values = (await l.data()) as Float32Array;
  tf.dispose([ids, l]);
  return values;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`fused q/k/v and gate/up (${backend}): same logits, rebuilt after a weight update, released under a gradient tape`, async () => {
    await selectBackend(backend);
    const model = randomModel(config, 11);
    try {
      const plain = await logits(model, false);
      const fused = await logits(model, true);
      assert.ok(maxDiff(plain, fused) < 1e-5, `fused differs by ${maxDiff(plain, fused)}`);
      const q = config.nHeads * config.headDim + 2 * config.nKvHeads * config.headDim;
      const expected = config.nLayers * (config.dim * q + q + config.dim * 2 * config.hiddenDim) * 4;
      assert.equal(model.derived.bytes((k) => k !== 'head'), expected, 'memory of the fused copies');
      const count = tf.memory().numTensors;
      const builds = model.derived.builds;
      // What an optimizer step does: assign new data to a variable.
      const wq = model.weights.blocks[1]!.wq;
      const wv = model.weights.blocks[1]!.wv;
      tf.tidy(() => wv.assign(tf.randomNormal(wv.shape, 0, 1, 'float32', 5)));
      const plain2 = await logits(model, false);
      const fused2 = await logits(model, true);
      assert.ok(maxDiff(plain, plain2) > 1e-3, 'the update changes the logits');
      assert.ok(maxDiff(plain2, fused2) < 1e-5, 'the fused copy follows the update');
      assert.equal(model.derived.builds, builds + 1, 'exactly the stale block was rebuilt');
      assert.equal(tf.memory().numTensors, count, 'rebuilding keeps the tensor count');
      const ids = tf.tensor2d([[1, 2, 3]], undefined, 'int32');
      wq.trainable = true; // as the Trainer does for the duration of a step
      const { value, grads } = tf.variableGrads(() => tf.mean(model.forward(ids).logits) as tf.Scalar, [wq]);
      wq.trainable = false;
      tf.dispose([ids, value, ...Object.values(grads)]);
      assert.equal(model.derived.bytes((k) => k !== 'head'), 0, 'no fused copies while training');
      assert.equal(tf.memory().numTensors, count, 'released copies keep the tensor count (placeholders)');
      assert.ok(maxDiff(plain2, await logits(model, true)) < 1e-5, 'rebuilt on the next inference pass');
    } finally {
      model.dispose();
    }
  });
}
