// Block Influence and angular distance on hand-built hidden states; soft dropping's exact end points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { angularKeepMask, blockInfluence, dropLowest, oneShotKeepMask, residualStreams, streamSimilarity } from '../../engine/trim/one-shot.ts';
import { fadeScale, setFading } from '../../engine/trim/soft-drop.ts';
import { randomModel } from '../../engine/bench/random-weights.ts';
import { TINY_SHAPE } from '../../engine/bench/shapes.ts';
import type { LlamaConfig } from '../../engine/model/config.ts';

const tiny = (TINY_SHAPE.weights as { config: LlamaConfig }).config;

/** Streams h_0..h_4 of two tokens in 2-D, built so each step's angle is known. */
function handBuilt(): tf.Tensor2D[] {
  const at = (deg: number, r = 1) => [r * Math.cos((deg * Math.PI) / 180), r * Math.sin((deg * Math.PI) / 180)];
  // token 0 turns 0° → 90° → 90° (norm doubles) → 120° → 300°; token 1 the same angles mirrored (negated)
  const angles = [0, 90, 90, 120, 300];
  return angles.map((a, i) => tf.tensor2d([at(a, i === 2 ? 2 : 1), at(-a)], [2, 2]));
}

test('Block Influence is 1 − mean cos between a sub-layer input and output; the lowest are dropped', async () => {
  const streams = handBuilt();
  const sim = await streamSimilarity(streams, 1);
  tf.dispose(streams);
  assert.equal(sim.tokens, 2);
  const bi = blockInfluence(sim);
  const expected = [1 - Math.cos(Math.PI / 2), 0, 1 - Math.cos(Math.PI / 6), 1 - Math.cos(Math.PI)];
  bi.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `BI[${i}] = ${v}, expected ${expected[i]}`));
  assert.deepEqual(dropLowest(bi, 2), [true, false, false, true], 'a pure rescale (BI 0) and the 30° turn go first');
  assert.deepEqual(dropLowest([0.5, 0.5, 0.1, 0.5], 2), [false, true, false, true], 'ties: the earlier index first');
  assert.throws(() => dropLowest(bi, 4), /cannot drop 4 of 4/);
});

test('angular distance drops the contiguous block whose input and output are closest in angle', async () => {
  const streams = handBuilt();
  const sim = await streamSimilarity(streams, 2);
  tf.dispose(streams);
  // blocks of 2: h0→h2 90°, h1→h3 30°, h2 (90°) → h4 (300°) 150°
  const d = sim.angleSums.map((a) => a / sim.tokens);
  [0.5, 1 / 6, 150 / 180].forEach((e, i) => assert.ok(Math.abs(d[i]! - e) < 1e-6, `d[${i}] = ${d[i]}, expected ${e}`));
  assert.deepEqual(angularKeepMask(sim, 4, 2), [true, false, false, true]);
  assert.throws(() => angularKeepMask(sim, 4, 3), /expected 2 block distances/);
});

test('the model\'s residual streams chain the sub-layer outputs; one-shot masks keep the asked size', async () => {
  const model = randomModel(tiny, 3);
  try {
    const ids = [1, 5, 9, 2, 7];
    const streams = residualStreams(model, ids);
    assert.equal(streams.length, 2 * tiny.nLayers + 1);
    // h_0 is the embedding of the ids; each later stream differs from the one before (a sub-layer added to it)
    const embedded = tf.tidy(() => tf.gather(model.weights.embedding, ids));
    assert.deepEqual(await streams[0]!.data(), await embedded.data());
    for (let i = 1; i < streams.length; i++) {
      const a = await streams[i - 1]!.data();
      assert.ok((await streams[i]!.data()).some((v, j) => v !== a[j]), `h_${i} differs from h_${i - 1}`);
    }
    tf.dispose([embedded, ...streams]);
    for (const rule of ['block-influence', 'angular'] as const) {
      const keep = await oneShotKeepMask(model, [ids, [3, 4, 5]], rule, 2);
      assert.equal(keep.filter((k) => !k).length, 2, rule);
    }
  } finally {
    model.dispose();
  }
});

test('soft dropping: scale 0 equals the dropped sub-layer exactly, scale 1 the full model exactly', async () => {
  const model = randomModel(tiny, 4);
  const ids = tf.tensor2d([[1, 5, 9, 2, 7, 11]], [1, 6], 'int32');
  const logits = async (keep: boolean[]) => {
    const out = model.forward(ids, { keep }).logits;
    const data = await out.data();
    out.dispose();
    return data;
  };
  try {
    const all = [true, true, true, true];
    const full = await logits(all);
    const without = await logits([true, false, true, true]);
    setFading(model, 1, 0);
    assert.deepEqual(await logits(all), without, 'scale 0 = mlp0 dropped, bit for bit');
    setFading(model, 1, 1);
    assert.deepEqual(await logits(all), full, 'scale 1 = the full model, bit for bit');
    setFading(model, 1, 0.5);
    const half = await logits(all);
    assert.ok(half.some((v, i) => v !== full[i] && v !== without[i]), 'scale 0.5 is neither');
    setFading(model, null);
    assert.equal(model.residualScale.size, 0);
    assert.equal(fadeScale(0, 400), 1);
    assert.equal(fadeScale(100, 400), 0.75);
    assert.equal(fadeScale(400, 400), 0);
    assert.throws(() => fadeScale(1, 0), /positive example count/);
  } finally {
    ids.dispose();
    model.dispose();
  }
});
