import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { causalLmLoss, maskedNllSum } from '../../engine/train/loss.ts';
import { disposeBatch, makeBatch, toTensors, type HostBatch } from '../../engine/train/batch.ts';
import type { TrainingExample } from '../../engine/train/example.ts';
import { loadStories } from '../helpers/shared.ts';

let loaded: LoadedModel;
before(async () => {
  loaded = await loadStories('wasm');
});
after(() => loaded.model.dispose());

/** A story sentence with the loss on its second half. */
function example(text: string): TrainingExample {
  const inputIds = loaded.tokenizer!.encode(text);
  return { inputIds, lossMask: inputIds.map((_, i) => (i >= inputIds.length / 2 ? 1 : 0)) };
}

/** Masked mean NLL in float64 plain JS from host logits [b, s, V] (log-sum-exp with the max subtracted). */
function referenceLoss(logits: Float32Array, h: HostBatch, vocab: number): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let r = 0; r < h.batch; r++) {
    for (let t = 0; t < h.seq - 1; t++) {
      if (!h.targetMask[r * (h.seq - 1) + t]) continue;
      const row = logits.subarray((r * h.seq + t) * vocab, (r * h.seq + t + 1) * vocab);
      let max = -Infinity;
      for (const x of row) max = Math.max(max, x);
      let z = 0;
      for (const x of row) z += Math.exp(x - max);
      sum += max + Math.log(z) - row[h.targets[r * (h.seq - 1) + t]!]!;
      count += 1;
    }
  }
  return { sum, count };
}

async function batchLoss(h: HostBatch): Promise<{ logits: Float32Array; loss: number; sum: number; count: number }> {
  const t = toTensors(h);
  const { logits } = loaded.model.forward(t.ids, t.paddingMask ? { paddingMask: t.paddingMask } : {});
  const l = causalLmLoss(logits, t.targets, t.targetMask);
  const out = {
    logits: (await logits.data()) as Float32Array,
    loss: (await l.loss.data())[0]!,
    sum: (await l.sum.data())[0]!,
    count: (await l.tokenCount.data())[0]!,
  };
  tf.dispose([logits, l.loss, l.sum, l.tokenCount]);
  disposeBatch(t);
  return out;
}

test('masked cross-entropy on stories260K equals a plain-JS masked mean NLL from the logits', async () => {
  const before = tf.memory().numTensors;
  const examples = [
    example('Once upon a time, there was a little dog named Max. Max liked to run in the park.'),
    example('Lily had a red ball. She played with it every day.'),
  ];
  const h = makeBatch(examples);
  assert.ok(h.padded);
  const got = await batchLoss(h);
  const ref = referenceLoss(got.logits, h, loaded.model.config.vocabSize);
  assert.equal(got.count, ref.count);
  assert.equal(got.count, h.targetTokens);
  assert.ok(Math.abs(got.loss - ref.sum / ref.count) < 1e-5 * (ref.sum / ref.count), `${got.loss} vs ${ref.sum / ref.count}`);
  assert.ok(Math.abs(got.sum - ref.sum) < 1e-5 * ref.sum);
  assert.ok(got.loss > 0.1 && got.loss < 10);
  // padding changes nothing: each example alone gives the same summed NLL as its row of the padded batch
  const alone = await Promise.all(examples.map((e) => batchLoss(makeBatch([e]))));
  const total = alone[0]!.sum + alone[1]!.sum;
  assert.ok(Math.abs(total - got.sum) < 1e-4 * got.sum, `${total} vs ${got.sum}`);
  assert.equal(tf.memory().numTensors, before);
});

test('the loss is numerically stable for huge logits and rejects misaligned shapes', async () => {
  const rows = [
    [1e4, -1e4, 0, 5],
    [-3e4, 3e4, 3e4 - 1, 0],
    [0, 0, 0, 0],
  ];
  const logits = tf.tensor3d([rows], [1, 3, 4]); // [b=1, s=3, V=4]
  const targets = tf.tensor2d([[0, 2]], [1, 2], 'int32'); // row 0 → token 0, row 1 → token 2
  const mask = tf.tensor2d([[1, 1]], [1, 2]);
  const l = causalLmLoss(logits, targets, mask);
  const [loss] = await l.loss.data();
  // row 0: target is the max by 9995 → NLL ≈ e^-9995 ≈ 0; row 1: log(1 + e^-1 + …) − (−1) = 1 + log(1 + e^-1)
  const expected = (0 + 1 + Math.log(1 + Math.exp(-1))) / 2;
  assert.ok(Number.isFinite(loss!));
  assert.ok(Math.abs(loss! - expected) < 1e-5, `${loss} vs ${expected}`);
  assert.throws(() => maskedNllSum(logits, tf.zeros([1, 3], 'int32') as tf.Tensor2D, mask), /do not line up/);
  tf.dispose([logits, targets, mask, l.loss, l.sum, l.tokenCount]);
});
