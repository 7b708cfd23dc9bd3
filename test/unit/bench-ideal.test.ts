import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBytesPerToken, idealSpeedup, runFlops } from '../../engine/bench/ceiling.ts';
import { benchKeepMask } from '../../engine/bench/keep-masks.ts';
import { llamaShape } from '../../engine/bench/shapes.ts';
import { flopsPerToken } from '../../engine/model/params.ts';

// dim 4, 2 blocks, 2 query heads of width 2 sharing 1 kv head, hidden 6, vocab 10, untied head.
const config = llamaShape({ dim: 4, nLayers: 2, nHeads: 2, nKvHeads: 1, hiddenDim: 6, vocabSize: 10, maxSeqLen: 32 });

/*
 * By hand, 2 FLOPs per multiply-add (Kaplan et al. 2020, Table 1), P = 10 positions:
 *   attention sub-layer parameters: norm 4 + q 4·4 + k 4·2 + v 4·2 + o 4·4 = 52 → 104 FLOPs
 *     + scores and mix: 2 · 2 · P · nHeads · headDim = 4 · 10 · 2 · 2 = 160 → 264
 *   MLP sub-layer parameters: norm 4 + gate, up, down 3 · 4 · 6 = 76 → 152
 *   LM head: 2 · 4 · 10 = 80
 *   full: 80 + 2 · 264 + 2 · 152 = 912
 *   75% (3 of 4 kept; drops mlp1): 80 + 2 · 264 + 152 = 760           → ideal 912 / 760 = 1.2
 *   50% (drops mlp1 and attn0; keeps attn1, mlp0): 80 + 264 + 152 = 496 → ideal 912 / 496
 */
test('ideal speed-up = FLOPs per token full / trimmed, against a hand count', () => {
  const full = benchKeepMask(2, 1);
  const threeQuarters = benchKeepMask(2, 0.75);
  const half = benchKeepMask(2, 0.5);
  assert.equal(flopsPerToken(config, full, 10), 912);
  assert.equal(flopsPerToken(config, threeQuarters, 10), 760);
  assert.equal(flopsPerToken(config, half, 10), 496);
  assert.equal(idealSpeedup(config, full, full, 10), 1);
  assert.ok(Math.abs(idealSpeedup(config, full, threeQuarters, 10) - 1.2) < 1e-12);
  assert.ok(Math.abs(idealSpeedup(config, full, half, 10) - 912 / 496) < 1e-12);
});

/*
 * Bytes read per decoded token, float32, P = 10:
 *   parameters: embedding 40 + final norm 4 + head 40 + 2 · (52 + 76) = 340 → 1360 bytes
 *   untied: of the embedding only the looked-up row is read: − (40 − 4) · 4 = −144 → 1216
 *   KV cache per kept attention: 2 · nKvHeads · headDim · P · 4 = 2 · 1 · 2 · 10 · 4 = 160; two → 1536
 */
test('bytes per decoded token for the matvec ceiling, against a hand count', () => {
  assert.equal(decodeBytesPerToken(config, benchKeepMask(2, 1), 10), 1536);
  // 50%: shared 84 + attn 52 + mlp 76 = 212 params = 848 bytes − 144 + one KV read 160 = 864
  assert.equal(decodeBytesPerToken(config, benchKeepMask(2, 0.5), 10), 864);
  // Tied: no separate head (−40 params), and the whole embedding is read as the head: 300 · 4 + 320 = 1520.
  const tied = { ...config, tiedEmbeddings: true };
  assert.equal(decodeBytesPerToken(tied, benchKeepMask(2, 1), 10), 1520);
});

/*
 * A whole benchmark run, P = 2 prompt tokens then N = 2 decode steps, full model. Per token at context c:
 * 80 + 2 · (104 + 16c) + 2 · 152 = 592 + 32c. The prefill computes the head (80) once:
 *   80 + (592 + 32 − 80) + (592 + 64 − 80) + (592 + 96) + (592 + 128) = 2608
 */
test('FLOPs of a whole run (prefill with the head once, then decode steps), against a hand count', () => {
  assert.equal(runFlops(config, benchKeepMask(2, 1), 2, 2), 2608);
  assert.equal(runFlops(config, benchKeepMask(2, 1), 1, 0), 592 + 32);
});
