import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchDropOrder, benchKeepMask, BENCH_KEPT_FRACTIONS, keptCount } from '../../engine/bench/keep-masks.ts';
import { BENCH_SHAPES, findShapes, TINY_SHAPE } from '../../engine/bench/shapes.ts';
import { droppedNames, keptNames } from '../../engine/model/sublayers.ts';
import type { LlamaConfig } from '../../engine/model/config.ts';

/** Blocks of every bench shape (stories260K from its llama2.c header: 5 layers). */
const LAYERS: Record<string, number> = { stories260K: 5, stories15M: 6, stories110M: 12, 'SmolLM2-135M': 30, tiny: 2 };

test('every bench shape has a known depth; random shapes have the published architectures', () => {
  assert.deepEqual(BENCH_SHAPES.map((s) => s.name), ['stories260K', 'stories15M', 'stories110M', 'SmolLM2-135M']);
  for (const s of [...BENCH_SHAPES, TINY_SHAPE]) {
    assert.ok(LAYERS[s.name], s.name);
    if (s.weights.kind === 'random') assert.equal(s.weights.config.nLayers, LAYERS[s.name], s.name);
  }
  const [s15, s110, smol] = findShapes(['stories15M', 'STORIES110M', 'smollm2-135m']).map((s) => (s.weights as { config: LlamaConfig }).config);
  assert.deepEqual(
    [s15!.dim, s15!.nHeads, s15!.nKvHeads, s15!.hiddenDim, s15!.vocabSize, s15!.tiedEmbeddings],
    [288, 6, 6, 768, 32000, false],
  );
  assert.deepEqual([s110!.dim, s110!.nHeads, s110!.hiddenDim, s110!.vocabSize], [768, 12, 2048, 32000]);
  assert.deepEqual(
    [smol!.dim, smol!.nHeads, smol!.nKvHeads, smol!.headDim, smol!.hiddenDim, smol!.vocabSize, smol!.tiedEmbeddings],
    [576, 9, 3, 64, 1536, 49152, true],
  );
  assert.throws(() => findShapes(['stories42M']), /unknown shape "stories42M".*stories15M/);
});

test('drop order alternates mlp/attn from the top, one sub-layer per block, then the other one', () => {
  assert.deepEqual(benchDropOrder(5), ['mlp4', 'attn3', 'mlp2', 'attn1', 'mlp0', 'attn4', 'mlp3', 'attn2', 'mlp1', 'attn0']);
  assert.deepEqual(benchDropOrder(2), ['mlp1', 'attn0', 'attn1', 'mlp0']);
  for (const L of Object.values(LAYERS)) {
    const order = benchDropOrder(L);
    assert.equal(new Set(order).size, 2 * L, `a permutation of the ${2 * L} sub-layers`);
  }
});

test('75% and 50% keep masks of every shape: hand-checked, deterministic, the documented counts', () => {
  // stories260K: 10 sub-layers → 75% keeps round(7.5) = 8 (drops mlp4, attn3); 50% keeps 5.
  assert.deepEqual(droppedNames(benchKeepMask(5, 0.75)), ['attn3', 'mlp4']);
  assert.deepEqual(droppedNames(benchKeepMask(5, 0.5)), ['mlp0', 'attn1', 'mlp2', 'attn3', 'mlp4']);
  // stories15M: 12 sub-layers → 9 and 6 kept.
  assert.deepEqual(droppedNames(benchKeepMask(6, 0.75)), ['mlp3', 'attn4', 'mlp5']);
  assert.deepEqual(droppedNames(benchKeepMask(6, 0.5)), ['attn0', 'mlp1', 'attn2', 'mlp3', 'attn4', 'mlp5']);
  assert.deepEqual(keptNames(benchKeepMask(2, 0.5)), ['mlp0', 'attn1']);
  for (const [name, L] of Object.entries(LAYERS)) {
    assert.deepEqual(benchKeepMask(L, 1), new Array(2 * L).fill(true), `${name} full`);
    for (const f of [0.75, 0.5]) {
      const mask = benchKeepMask(L, f);
      assert.deepEqual(benchKeepMask(L, f), mask, `${name} ${f} deterministic`);
      assert.equal(keptNames(mask).length, Math.round(f * 2 * L), `${name} ${f} count`);
      assert.equal(keptCount(L, f), Math.round(f * 2 * L));
    }
    // 50%: every block keeps exactly one of its two sub-layers, as many attentions as MLPs (±1).
    const half = benchKeepMask(L, 0.5);
    for (let l = 0; l < L; l++) assert.equal(Number(half[2 * l]) + Number(half[2 * l + 1]), 1, `${name} block ${l}`);
    const droppedAttn = droppedNames(half).filter((n) => n.startsWith('attn')).length;
    assert.ok(Math.abs(2 * droppedAttn - L) <= 1, `${name}: ${droppedAttn} attentions of ${L} drops`);
    // 75% ⊂ full and 50% ⊂ 75%: the masks nest.
    const threeQuarters = benchKeepMask(L, 0.75);
    half.forEach((k, i) => assert.ok(!k || threeQuarters[i], `${name}: 50% mask nests in 75%`));
  }
  assert.deepEqual(BENCH_KEPT_FRACTIONS, [1, 0.75, 0.5]);
  assert.deepEqual(droppedNames(benchKeepMask(30, 0.75)).length, 15);
  assert.throws(() => benchKeepMask(6, 0), /kept fraction/);
  assert.throws(() => benchKeepMask(6, 1.5), /kept fraction/);
  assert.throws(() => benchKeepMask(0, 0.5), /nLayers/);
});
