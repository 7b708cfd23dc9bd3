import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseDrop, rankByImportance, scoreSubLayers, sparseTrainableMask, IMPORTANCE_EPSILON, type SubLayerScore } from '../../engine/trim/importance.ts';
import { initialTrimState, lrSpan, plannedEpochs, runTrimSchedule, type TrimHooks, type TrimScheduleConfig, type TrimState } from '../../engine/trim/progressive.ts';
import { ruleBasedKeepMask } from '../../engine/trim/baselines.ts';
import { keptNames } from '../../engine/model/sublayers.ts';
import { calibrationSeed } from '../../engine/trim/pipeline.ts';
import { calibrationSample } from '../../engine/trim/measure.ts';
import { deriveSeed } from '../../engine/random.ts';
import { DEFAULT_TRIM_VARIANTS, parseVariants } from '../../engine/trim/variants.ts';
import { chooseByRecovery, lookaheadCandidates } from '../../engine/trim/lookahead.ts';
import { learningRate } from '../../engine/train/schedule.ts';

const score = (subLayer: string, index: number, p: number, norm: number): SubLayerScore => ({
  subLayer: subLayer as SubLayerScore['subLayer'], index, calibrationPerformance: p, importance: 1 / (p + IMPORTANCE_EPSILON), activationNorm: norm,
});

test('calibration importance is 1/(P+ε) of the model without each sub-layer (Eq. 3)', async () => {
  const keep = [true, true, false, true];
  const seen: boolean[][] = [];
  const scores = await scoreSubLayers(keep, async (k) => {
    seen.push([...k]);
    return k[0] ? 0.5 : 0.25;
  }, new Map([['attn0', 3], ['mlp0', 4], ['mlp1', 5]]));
  assert.deepEqual(seen, [[false, true, false, true], [true, false, false, true], [true, true, false, false]]);
  assert.deepEqual(scores.map((s) => s.subLayer), ['attn0', 'mlp0', 'mlp1']);
  assert.equal(scores[0]!.importance, 1 / (0.25 + IMPORTANCE_EPSILON));
  assert.equal(scores[2]!.activationNorm, 5);
});

test('chooseDrop: calibration picks the highest P without it; activation picks the highest norm', () => {
  const s = [score('attn0', 0, 0.4, 9), score('mlp0', 1, 0.6, 1), score('attn1', 2, 0.5, 2)];
  assert.equal(chooseDrop(s, 'calibration').subLayer, 'mlp0');
  assert.equal(chooseDrop(s, 'activation').subLayer, 'attn0');
});

test('chooseDrop "both": ties on P broken by the larger activation norm; MLP wins an exact attn/MLP tie', () => {
  const tiedAttn = [score('attn0', 0, 0.5, 2), score('attn1', 2, 0.5, 7), score('mlp0', 1, 0.25, 9)];
  assert.equal(chooseDrop(tiedAttn, 'both').subLayer, 'attn1');
  const crossTie = [score('attn0', 0, 0.5, 9), score('mlp1', 3, 0.5, 1)];
  assert.equal(chooseDrop(crossTie, 'both').subLayer, 'mlp1');
  const attnHigher = [score('attn0', 0, 0.75, 1), score('mlp1', 3, 0.5, 9)];
  assert.equal(chooseDrop(attnHigher, 'both').subLayer, 'attn0');
});

test('sparse update keeps the ceil(r·2L) most important sub-layers trainable (paper §3.4)', () => {
  const s = [score('attn0', 0, 0.9, 1), score('mlp0', 1, 0.1, 1), score('attn1', 2, 0.5, 1), score('mlp1', 3, 0.3, 1)];
  assert.deepEqual(rankByImportance(s, 'both').map((x) => x.subLayer), ['mlp0', 'mlp1', 'attn1', 'attn0']);
  assert.deepEqual(sparseTrainableMask(s, 4, 0.25, 'both'), [false, true, false, false]);
  assert.deepEqual(sparseTrainableMask(s, 4, 0.5, 'both'), [false, true, false, true]);
  assert.throws(() => sparseTrainableMask(s, 4, 0, 'both'), /sparse update ratio/);
});

test('rule-based baselines drop the last, the first, or a seeded random half', () => {
  assert.deepEqual(keptNames(ruleBasedKeepMask(2, 'top')), ['attn0', 'mlp0']);
  assert.deepEqual(keptNames(ruleBasedKeepMask(2, 'bottom')), ['attn1', 'mlp1']);
  const r = ruleBasedKeepMask(5, 'random', 0.5, 3);
  assert.equal(r.filter(Boolean).length, 5);
  assert.deepEqual(r, ruleBasedKeepMask(5, 'random', 0.5, 3));
});

/** Hooks where sub-layer i leaves P = 0.1·i when dropped (so the last one goes first) and P falls per drop. */
function fakeHooks(log: string[]): TrimHooks & { states: TrimState[] } {
  const states: TrimState[] = [];
  return {
    states,
    async trainEpoch(epoch, keep, trainable) {
      log.push(`train ${epoch} ${keep.filter(Boolean).length} ${trainable.filter(Boolean).length}`);
      return 1;
    },
    async scan(_epoch, keep) {
      return keep.flatMap((k, i) => (k ? [score(`${i % 2 ? 'mlp' : 'attn'}${i >> 1}`, i, 0.1 * i, 1)] : []));
    },
    async validate(keep) {
      return keep.filter(Boolean).length / keep.length;
    },
    paramBytes: (keep) => 100 + keep.reduce((a, k, i) => a + (k ? (i % 2 ? 30 : 10) : 0), 0),
    async checkpoint(state) {
      states.push(structuredClone(state));
    },
    stopRequested: () => false,
  };
}

const base: TrimScheduleConfig = { targets: { maxEpochs: 100 }, dropsPerEpoch: 1, method: 'both', healEpochs: 1 };

test('the schedule stops at a kept fraction, then heals, checkpointing every epoch', async () => {
  const log: string[] = [];
  const hooks = fakeHooks(log);
  const end = await runTrimSchedule(initialTrimState([true, false, true, true, false, false]), { ...base, targets: { keptFraction: 0.5, maxEpochs: 10 } }, hooks);
  assert.equal(end.phase, 'done');
  assert.equal(end.stopReason, 'kept_fraction');
  assert.deepEqual(end.drops.map((d) => d.subLayer), ['mlp2', 'attn2', 'mlp1']);
  assert.deepEqual(log, ['train 1 6 3', 'train 2 5 3', 'train 3 4 3', 'train 4 3 3']);
  assert.equal(hooks.states.length, 5); // 3 drops + 1 heal + done
});

test('the schedule stops at a parameter-memory ratio, at the accuracy floor, and at max epochs', async () => {
  const byParams = await runTrimSchedule(initialTrimState(new Array(6).fill(true)), { ...base, targets: { paramRatio: 0.7, maxEpochs: 10 } }, fakeHooks([]));
  assert.equal(byParams.stopReason, 'param_ratio'); // 220 → 190 → 180 → 150 bytes: 180/220 > 0.7 ≥ 150/220
  assert.equal(byParams.drops.length, 3);
  const floorHooks = fakeHooks([]);
  const byFloor = await runTrimSchedule(initialTrimState(new Array(6).fill(true)), { ...base, targets: { accuracyFloor: 0.8, maxEpochs: 10 } }, floorHooks);
  // Reference: P after epoch 1's fine-tune with all kept = 1. P = 5/6 ≥ 0.8 after one drop; 4/6 < 0.8, so the
  // second drop is not made: the run stops before going below the floor.
  assert.equal(byFloor.referencePerformance, 1);
  assert.equal(byFloor.stopReason, 'accuracy_floor');
  assert.equal(byFloor.drops.length, 1);
  assert.equal(byFloor.keep.filter(Boolean).length, 5);
  assert.ok(floorHooks.states.every((s) => s.validation.every((v) => v.performance >= 0.8)), 'no checkpoint below the floor');
  const baseRef = { ...initialTrimState(new Array(6).fill(true)), referencePerformance: 0.8 };
  const byBaseFloor = await runTrimSchedule(baseRef, { ...base, targets: { accuracyFloor: 0.8, floorReference: 'base', maxEpochs: 10 } }, fakeHooks([]));
  assert.equal(byBaseFloor.referencePerformance, 0.8, 'the base reference given by the pipeline is kept');
  assert.equal(byBaseFloor.drops.length, 2); // threshold 0.8 · 0.8 = 0.64: 4/6 above, 3/6 below
  const byEpochs = await runTrimSchedule(initialTrimState(new Array(6).fill(true)), { ...base, targets: { maxEpochs: 2 } }, fakeHooks([]));
  assert.equal(byEpochs.stopReason, 'max_epochs');
  assert.equal(byEpochs.drops.length, 2);
});

test('resuming from any checkpointed state ends with the same keep mask as an uninterrupted run', async () => {
  const config = { ...base, targets: { keptFraction: 0.5, maxEpochs: 10 } };
  const full = fakeHooks([]);
  const end = await runTrimSchedule(initialTrimState(new Array(6).fill(true)), config, full);
  for (const mid of full.states) {
    const resumed = await runTrimSchedule(mid, config, fakeHooks([]));
    assert.deepEqual(resumed.keep, end.keep);
    assert.deepEqual(resumed.drops.map((d) => d.subLayer), end.drops.map((d) => d.subLayer));
  }
});

test('k = 3 on 10 sub-layers with target 0.5 keeps exactly 5; each drop of an epoch scans a fresh draw', async () => {
  const draws: string[] = [];
  const hooks = fakeHooks([]);
  const scan = hooks.scan;
  hooks.scan = (epoch, keep, draw) => {
    draws.push(`${epoch}.${draw}`);
    return scan(epoch, keep, draw);
  };
  const end = await runTrimSchedule(initialTrimState(new Array(10).fill(true)), { ...base, dropsPerEpoch: 3, targets: { keptFraction: 0.5, maxEpochs: 10 } }, hooks);
  assert.equal(end.keep.filter(Boolean).length, 5);
  assert.equal(end.stopReason, 'kept_fraction');
  assert.deepEqual(draws, ['1.0', '1.1', '1.2', '2.0', '2.1'], 'three draws in epoch 1, two in epoch 2 (the target stops the third)');
  // Each draw has its own calibration sample: distinct seeds, distinct records (draw 0 keeps the old per-epoch seed).
  const seeds = [0, 1, 2].map((d) => calibrationSeed(0, 1, d));
  assert.equal(new Set(seeds).size, 3);
  assert.equal(seeds[0], deriveSeed(0, 1, 7919));
  const pool = { kind: 'choice' as const, items: Array.from({ length: 100 }, (_, i) => ({ context: [i], continuations: [[1]], answer: 0 })) };
  const samples = seeds.map((seed) => JSON.stringify(calibrationSample(pool as never, 8, seed)));
  assert.equal(new Set(samples).size, 3, 'three different calibration samples');
});

test('plannedEpochs: drop epochs to the kept target (capped by max epochs), healing as many by default', () => {
  const c = { dropsPerEpoch: 1, targets: { keptFraction: 0.5, maxEpochs: 20 } };
  assert.deepEqual(plannedEpochs(c, 10), { drop: 5, heal: 5, total: 10 });
  assert.deepEqual(plannedEpochs({ ...c, dropsPerEpoch: 3 }, 10), { drop: 2, heal: 2, total: 4 });
  assert.deepEqual(plannedEpochs({ ...c, healEpochs: 0, targets: { keptFraction: 0.5, maxEpochs: 3 } }, 10), { drop: 3, heal: 0, total: 3 });
  assert.deepEqual(plannedEpochs({ ...c, targets: { maxEpochs: 4 } }, 10), { drop: 4, heal: 4, total: 8 }, 'without a kept target: max epochs');
  assert.deepEqual(plannedEpochs({ ...c, softDrop: true }, 10), { drop: 6, heal: 6, total: 12 }, 'soft dropping: one more epoch fades the last drop');
});

test('soft dropping: each chosen sub-layer fades during the next epoch, then leaves the keep mask', async () => {
  const log: string[] = [];
  const hooks = fakeHooks(log);
  const fades: (number | null)[] = [];
  const train = hooks.trainEpoch.bind(hooks);
  hooks.trainEpoch = async (epoch, keep, trainable, context) => {
    fades.push(context.fading);
    return train(epoch, keep, trainable, context);
  };
  const end = await runTrimSchedule(initialTrimState([true, false, true, true, false, false]), { ...base, softDrop: true, targets: { keptFraction: 0.5, maxEpochs: 10 } }, hooks);
  assert.equal(end.stopReason, 'kept_fraction');
  assert.deepEqual(end.drops.map((d) => d.subLayer), ['mlp2', 'attn2', 'mlp1'], 'the same order as hard dropping here');
  // epoch 1 trains all 6 and chooses mlp2; epochs 2–4 each fade the previous choice; then 1 healing epoch
  assert.deepEqual(fades, [null, 5, 4, 3, null]);
  assert.deepEqual(log.slice(0, 4), ['train 1 6 3', 'train 2 6 3', 'train 3 5 3', 'train 4 4 3']);
  assert.deepEqual(hooks.states.map((s) => s.keep.filter(Boolean).length), [6, 5, 4, 3, 3, 3]);
  assert.equal(hooks.states[0]!.fading, 5, 'the checkpoint records the sub-layer fading next, so a resume continues the fade');
  assert.equal(hooks.states[3]!.fading, null);
});

test('soft dropping stops at maxEpochs: the last allowed epoch finishes its fade and chooses no new one', async () => {
  const hooks = fakeHooks([]);
  const config = { ...base, softDrop: true, targets: { keptFraction: 0.5, maxEpochs: 2 } };
  const end = await runTrimSchedule(initialTrimState([true, false, true, true, false, false]), config, hooks);
  assert.equal(end.stopReason, 'max_epochs');
  assert.equal(end.epochsDone - end.healEpochsDone, plannedEpochs(config, 6).drop, 'drop epochs as planned');
  // epoch 1 chooses mlp2, epoch 2 fades and removes it; nothing fades after
  assert.deepEqual(end.drops.map((d) => d.subLayer), ['mlp2']);
  assert.equal(end.keep.filter(Boolean).length, 5);
  assert.equal(end.fading ?? null, null);
});

test('variants parse by name over the defaults', () => {
  assert.deepEqual(parseVariants(''), DEFAULT_TRIM_VARIANTS);
  const v = parseVariants('soft-drop, distill,lookahead=3,lookahead-steps=4,heal-sparse,heal-restart');
  assert.deepEqual(v, { softDrop: true, distill: true, lookahead: 3, lookaheadSteps: 4, healTrainable: 'sparse', healRestart: true });
  assert.equal(parseVariants('no-soft-drop', v).softDrop, false);
  assert.equal(parseVariants('no-heal-restart', v).healRestart, false);
  assert.throws(() => parseVariants('soft'), /unknown variant "soft"/);
  assert.throws(() => parseVariants('lookahead=-1'), /whole number/);
});

test('look-ahead: the m first candidates of the ordinary rule are probed; the best recovered one is dropped', async () => {
  const scores = [score('attn0', 0, 0.30, 1), score('mlp0', 1, 0.35, 1), score('attn1', 2, 0.33, 1), score('mlp1', 3, 0.20, 1)];
  assert.deepEqual(lookaheadCandidates(scores, 'calibration', 3).map((s) => s.subLayer), ['mlp0', 'attn1', 'attn0']);
  const probed: string[] = [];
  const recovered: Record<string, number> = { mlp0: 0.36, attn1: 0.38, attn0: 0.37 };
  const chosen = await chooseByRecovery([true, true, true, true], scores, 'calibration', 3, async (without, c) => {
    probed.push(`${c.subLayer}:${without.map(Number).join('')}`);
    return recovered[c.subLayer]!;
  });
  assert.equal(chosen.subLayer, 'attn1', 'best after the burst, though the scan ranked mlp0 first');
  assert.deepEqual(probed, ['mlp0:1011', 'attn1:1101', 'attn0:0111']);
  const tie = await chooseByRecovery([true, true, true, true], scores, 'calibration', 2, async () => 0.3);
  assert.equal(tie.subLayer, 'mlp0', 'a tie keeps the scan\'s order');
  assert.throws(() => lookaheadCandidates(scores, 'both', 0), /at least one candidate/);
});

test('heal-restart: healing restarts the cosine at the peak and ends at the floor; the drop phase ends at the floor', () => {
  // 2 drop epochs + 3 healing epochs of 3 steps: the drop cycle is steps 0–5 (warm-up 2), healing steps 6–14
  const planned = { drop: 2, heal: 3, total: 5 };
  const o = { peakLr: 1e-3, warmupSteps: 2, minLrRatio: 0.1 };
  const drop = lrSpan(planned, 3, true, 'drop', 1);
  const heal = lrSpan(planned, 3, true, 'heal', 2);
  assert.deepEqual(drop, { totalSteps: 15, restartStep: 6 });
  assert.deepEqual(heal, drop, 'a drop phase that ran as planned: the same span');
  const lr = (step: number, span = heal) => learningRate(step, span.totalSteps, { ...o, restartStep: span.restartStep! });
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-15, `${a} ≈ ${b}`);
  close(lr(0), 5e-4); // warm-up: (0 + 1) / 2 of the peak
  close(lr(3), 1e-3 * (0.1 + 0.9 * 0.5 * 1.5)); // p = 1/3 of the drop cycle (cos π/3 = ½)
  close(lr(5), 1e-4); // last drop step: the floor
  close(lr(6), 1e-3); // first healing step: the peak
  close(lr(10), 1e-3 * (0.1 + 0.9 * 0.5)); // p = 4/8: halfway
  close(lr(14), 1e-4); // last healing step: the floor
  // without the variant: one cosine over 15 steps (healing starts at p = 4/12, far below the peak)
  assert.deepEqual(lrSpan(planned, 3, false, 'heal', 2), { totalSteps: 15 });
  // a drop phase ended early by a floor (1 epoch): healing restarts where it actually starts and keeps its 3 epochs
  const early = lrSpan(planned, 3, true, 'heal', 1);
  assert.deepEqual(early, { totalSteps: 12, restartStep: 3 });
  close(lr(3, early), 1e-3);
  close(lr(11, early), 1e-4);
  // no healing planned: one cosine
  assert.deepEqual(lrSpan({ drop: 2, heal: 0, total: 2 }, 3, true, 'drop', 0), { totalSteps: 6 });
});
