// The engine speed-ups made for the bench: the replacement wasm kernels (engine/backend/wasm-kernels.ts) give
// the original kernels' results (up to float32 summation order) and leak nothing; the tied LM head's cached
// transpose (engine/model/llama.ts) gives the same logits as the differentiable product and follows the
// embedding when it changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { useFastWasmKernels } from '../../engine/backend/wasm-kernels.ts';
import { randomModel } from '../../engine/bench/random-weights.ts';
import { llamaShape } from '../../engine/bench/shapes.ts';

/** max |a − b| / max(1, max |a|). */
function relativeDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(1, tf.max(tf.abs(a)).dataSync()[0]!));
}

test('fast wasm BatchMatMul and Slice equal the original kernels, and free their temporaries', async () => {
  await selectBackend('wasm');
  const cases: [number[], number[], boolean, boolean][] = [
    [[16, 24], [24, 20], false, false], // already fast: untouched
    [[16, 24], [16, 20], true, false], // xᵀ·dy (weight gradient)
    [[16, 20], [24, 20], false, true], // dy·Wᵀ (input gradient)
    [[16, 24], [20, 16], true, true],
    [[1, 3, 12, 8], [1, 3, 10, 8], false, true], // attention scores q·kᵀ
    [[2, 3, 12, 10], [2, 3, 10, 8], false, false], // attention mix, batch 6
    [[2, 3, 8, 12], [2, 3, 10, 8], true, true],
    [[3, 5, 7], [7, 6], false, false], // broadcast b
    [[5, 6], [2, 5, 4], true, false], // broadcast a
    [[1, 3, 3, 8], [1, 3, 10, 8], false, true], // 3 output rows: original path
  ];
  try {
    for (const [sa, sb, ta, tb] of cases) {
      const a = tf.randomNormal(sa, 0, 1, 'float32', 1);
      const b = tf.randomNormal(sb, 0, 1, 'float32', 2);
      useFastWasmKernels(false);
      const expected = tf.matMul(a, b, ta, tb);
      useFastWasmKernels(true);
      const tensors = tf.memory().numTensors;
      const bytes = tf.memory().numBytes;
      const actual = tf.matMul(a, b, ta, tb);
      assert.equal(tf.memory().numTensors, tensors + 1, 'one output tensor');
      assert.equal(tf.memory().numBytes, bytes + actual.size * 4, 'no temporary left behind');
      assert.deepEqual(actual.shape, expected.shape);
      assert.ok(relativeDiff(expected, actual) < 1e-5, `${sa} × ${sb} (${ta}, ${tb})`);
      tf.dispose([a, b, expected, actual]);
    }
    const x = tf.randomNormal([4, 5, 6, 7], 0, 1, 'float32', 3);
    for (const [begin, size] of [
      [[1, 2, 3, 1], [2, 3, 2, 5]], [[0, 0, 0, 0], [4, 5, 6, 7]], [[3, 0, 0, 0], [1, 5, 6, 7]], [[1, 1, 1, 1], [-1, 2, -1, 3]],
      [[2, 4, 5, 6], [1, 1, 1, 1]],
    ] as [number[], number[]][]) {
      useFastWasmKernels(false);
      const expected = tf.slice(x, begin, size);
      useFastWasmKernels(true);
      const actual = tf.slice(x, begin, size);
      assert.deepEqual(actual.shape, expected.shape);
      assert.deepEqual(Array.from(actual.dataSync()), Array.from(expected.dataSync()), `slice ${begin} ${size}`);
      tf.dispose([expected, actual]);
    }
    x.dispose();
  } finally {
    useFastWasmKernels(true);
  }
});

test('tied LM head: cached transpose = differentiable product, refreshed when the embedding changes', async () => {
  await selectBackend('wasm');
  const config = llamaShape({ dim: 16, nLayers: 1, nHeads: 2, hiddenDim: 24, vocabSize: 40, maxSeqLen: 16, tiedEmbeddings: true });
  const model = randomModel(config, 5);
  const ids = tf.tensor2d([[1, 7, 3, 9, 2]], undefined, 'int32');
  try {
    const tensors = tf.memory().numTensors;
    const cached = model.forward(ids).logits;
    model.weights.embedding.trainable = true; // the path a Trainer takes
    const differentiable = model.forward(ids).logits;
    model.weights.embedding.trainable = false;
    assert.ok(relativeDiff(differentiable, cached) < 1e-5);
    tf.dispose([cached, differentiable]);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
    // A new embedding (what AdamW's assign does): the head follows it.
    tf.tidy(() => model.weights.embedding.assign(tf.mul(model.weights.embedding, 2)));
    const after = model.forward(ids).logits;
    model.weights.embedding.trainable = true;
    const reference = model.forward(ids).logits;
    model.weights.embedding.trainable = false;
    assert.ok(relativeDiff(reference, after) < 1e-5);
    tf.dispose([after, reference]);
    assert.equal(tf.memory().numTensors, tensors, 'the stale transpose was freed');
  } finally {
    ids.dispose();
    model.dispose();
  }
});
