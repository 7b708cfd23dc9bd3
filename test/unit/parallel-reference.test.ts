/**
 * The stories260K oracle (../shared/reference/stories260K.json) with threads on: a calibration scan split across
 * 2 threads (engine/parallel/scan.ts) reproduces the oracle's next-token accuracy with a sub-layer dropped and its
 * sub-layer activation norms. The calibration set is the oracle prompt twice, so each thread scans one copy.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';
import type { Evaluable } from '../../engine/trim/prepare.ts';
import { WorkerPool } from '../../engine/parallel/pool.ts';
import { calibrationScan, splitCalibration } from '../../engine/parallel/scan.ts';
import { loadStories, storiesReference as ref } from '../helpers/shared.ts';

let loaded: LoadedModel;
let pool: WorkerPool;
before(async () => {
  loaded = await loadStories('wasm');
  pool = await WorkerPool.start(loaded.model, 2);
});
after(async () => {
  await pool.dispose();
  loaded.model.dispose();
});

/** Next-token accuracy of an oracle case on the prompt: argmax at i − 1 against token i, i = 1…n−1. */
function oracleAccuracy(argmax: readonly number[]): number {
  const ids = ref.prompt_ids;
  let hits = 0;
  for (let i = 1; i < ids.length; i++) if (argmax[i - 1] === ids[i]) hits++;
  return hits / (ids.length - 1);
}

const prompt = { inputIds: [...ref.prompt_ids], lossMask: ref.prompt_ids.map(() => 1) };
const calibration: Evaluable = { kind: 'tokens', examples: [prompt, prompt] };

for (const [keptFrom, dropped, oracle] of [
  [[], 'attn2', 'drop_attn2'],
  [['attn0', 'attn1'], 'mlp4', 'drop_attn0_attn1_mlp4'],
] as const) {
  test(`2-thread scan, kept all but [${keptFrom.join(', ')}]: P without ${dropped} and the activation norms match the oracle`, async () => {
    assert.equal(splitCalibration(calibration, 2).length, 2, 'one prompt per thread');
    const keep = keepMaskWithout(loaded.model.config.nLayers, [...keptFrom]);
    const scores = await calibrationScan(loaded.model, loaded.tokenizer!, keep, calibration, pool);
    const c = ref.forward[oracle]!;
    const candidate = scores.find((s) => s.subLayer === dropped)!;
    assert.equal(candidate.calibrationPerformance, oracleAccuracy(c.argmax_per_position));
    // Norms over both copies: √2 × the oracle's. Sub-layers before `dropped` have the same outputs with or without
    // it, so the oracle case (which also drops it) holds for them.
    const before = scores.filter((s) => s.index < candidate.index);
    assert.ok(before.length > 0);
    for (const s of before) {
      const expected = Math.SQRT2 * c.activation_frobenius[s.subLayer]!;
      assert.ok(Math.abs(s.activationNorm - expected) / expected < 1e-4, `${s.subLayer}: ${s.activationNorm} vs ${expected}`);
    }
  });
}
