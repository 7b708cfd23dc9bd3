import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateRun, MODEL_ERROR, PREFIX_REUSE_FACTOR, type UnitTimings } from '../../engine/trim/estimate.ts';
import { fitScoringCost } from '../../engine/trim/plan-measure.ts';
import { checkStepFits, HEAP_FACTOR, trainingStepMemory } from '../../engine/train/memory.ts';
import { findShapes, llamaShape } from '../../engine/bench/shapes.ts';
import { selectBackend } from '../../engine/backend/select.ts';
import { assertRunFits } from '../../engine/trim/pipeline.ts';
import { RunSettingsSchema } from '../../electron/api/run-settings.ts';
import { toRunConfig } from '../../electron/app/run-config.ts';
import type { PreparedTask } from '../../engine/trim/prepare.ts';
import type { LlamaConfig } from '../../engine/model/config.ts';

const exact = (seconds: number) => ({ seconds, spread: 0 });

test('plan arithmetic on a hand-computed case', () => {
  // 4 sub-layers, keep 50% (2), k = 1 → E = 2 drop epochs, H = 2 heal epochs; 10 examples / (2 · 1) → S = 5.
  const t: UnitTimings = { trainStep: exact(2), scanCandidate: exact(1), evalBatch: exact(0.5), decode: exact(1), ggufFile: exact(5), ggufStart: exact(2) };
  const shape = {
    nSubLayers: 4, trainExamples: 10, validationItems: 20, testItems: 32, microBatchSize: 2, accumulationSteps: 1,
    dropsPerEpoch: 1, keptFraction: 0.5, maxEpochs: 10, baselines: ['full-finetune', 'random'], benchmarkRuns: 2, ggufDtypes: 3,
  };
  const e = estimateRun(t, shape);
  assert.equal(e.stepsPerEpoch, 5);
  assert.equal(e.dropEpochs, 2);
  assert.equal(e.healEpochs, 2);
  const f = PREFIX_REUSE_FACTOR;
  const by = Object.fromEntries(e.phases.map((p) => [p.name, p.seconds]));
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  near(by['initial scan']!, 4 * 1 * (4 / 4) * f); // scan(4) = 4 · 1 s · 1 · f = 2.6
  near(by.scans!, 4 * (4 / 4) * f + 3 * (3 / 4) * f); // scan(4) + scan(3) = 2.6 + 1.4625
  near(by.training!, 2 * 5 * 2); // E · S · step = 20
  near(by.validation!, 2 * 2 * 0.5); // E · ⌈20/16⌉ · 0.5 = 2
  const measure = 2 * 0.5 + 3 * 1; // ⌈32/16⌉ · 0.5 + (2 + 1) · 1 s = 4
  near(by['checkpoint measurements']!, 4 * measure); // (E + H) · 4 = 16
  near(by.healing!, 2 * 5 * 2); // 20
  // base 4 + full-finetune (E+H = 4 epochs · 10 s + 4) + random (4 · 10 · 0.5 + 4) = 4 + 44 + 24 = 72
  near(by.baselines!, 72);
  near(by['speed comparison']!, (1 + 2 + 1) * 4); // masks: full, 2 drop checkpoints, random; warm-up 2 + 2 runs of 1 s = 16
  near(by['GGUF files']!, 2 + 3 * 2 * 5); // llama.cpp's start + 3 dtypes × (base + last checkpoint) × 5 s = 32
  near(e.seconds, 2.6 + 4.0625 + 20 + 2 + 16 + 20 + 72 + 16 + 32);
  assert.equal(e.dominant, 'baselines');
  // exact timings: the uncertainty is the formula's own error, MODEL_ERROR of every phase
  near(e.uncertainty, e.seconds * MODEL_ERROR);
  // a run without a report measures no GGUF file; one that never drops exports the base model only
  assert.equal(estimateRun(t, { ...shape, ggufDtypes: 0 }).phases.find((p) => p.name === 'GGUF files')!.seconds, 0);
  assert.equal(estimateRun(t, { ...shape, keptFraction: 1 }).phases.find((p) => p.name === 'GGUF files')!.seconds, 2 + 3 * 5);
  assert.throws(() => estimateRun(t, { ...shape, nSubLayers: 0 }), RangeError);
  assert.throws(() => estimateRun(t, { ...shape, keptFraction: 0 }), RangeError);
});

test("llama.cpp scoring cost fitted to timed records: both terms, and a one-term fit where one would be negative", () => {
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  // seconds = 0.02 · positions + 0.001 · tokens exactly: the joint fit recovers both
  const exactly = [[12, 90], [8, 40], [15, 160], [10, 70]].map(([positions, tokens]) => ({ positions: positions!, tokens: tokens!, seconds: 0.02 * positions! + 0.001 * tokens! }));
  const joint = fitScoringCost(exactly);
  near(joint.perPosition, 0.02);
  near(joint.perToken, 0.001);
  // time that falls as tokens grow would need b < 0: the better one-term fit, on positions: Σ p·s / Σ p² = 5.5 / 2.25
  const onPositions = fitScoringCost([{ positions: 1, tokens: 10, seconds: 3 }, { positions: 1, tokens: 20, seconds: 2 }, { positions: 0.5, tokens: 1, seconds: 1 }]);
  near(onPositions.perToken, 0);
  near(onPositions.perPosition, (3 + 2 + 0.5) / (1 + 1 + 0.25));
  // proportional features (a singular system): one term
  const proportional = fitScoringCost([{ positions: 1, tokens: 2, seconds: 1 }, { positions: 2, tokens: 4, seconds: 2 }]);
  near(proportional.perPosition * 1 + proportional.perToken * 2, 1);
  assert.deepEqual(fitScoringCost([]), { perPosition: 0, perToken: 0 });
});

test('training memory: optimizer state and gradients only for trainable sub-layers; a step too big says what fits', () => {
  const c = llamaShape({ dim: 8, nLayers: 2, nHeads: 2, hiddenDim: 16, vocabSize: 32, maxSeqLen: 64 });
  // attn sub-layer: norm 8 + q,k,v,o 4·64 = 264 params; mlp: norm 8 + 3·128 = 392
  const none = trainingStepMemory(c, { batch: 1, seq: 4, trainable: [false, false, false, false] });
  assert.equal(none.optimizer, 0);
  assert.equal(none.gradients, 0);
  const attn0 = trainingStepMemory(c, { batch: 1, seq: 4, trainable: [true, false, false, false] });
  assert.equal(attn0.optimizer, 8 * 264);
  assert.equal(attn0.gradients, 2 * 4 * 264); // the gradient plus one while accumulating
  assert.equal(attn0.weights, 4 * (2 * 264 + 2 * 392 + 32 * 8 + 8 + 8 * 32));
  assert.equal(attn0.transients, 4 * 6 * 264, "AdamW's update of the largest trainable sub-layer (> the head's 2·4·4·32)");
  // with worker threads AdamW's moments and update live in shared memory, off the wasm heap
  const shared = trainingStepMemory(c, { batch: 1, seq: 4, trainable: [true, false, false, false], sharedOptimizer: true });
  assert.equal(shared.optimizer, 0);
  assert.equal(shared.transients, 2 * 4 * 4 * 32, "the head's backward, the update's temporaries being off the heap");
  assert.equal(shared.gradients, attn0.gradients);
  const all = [true, true, true, true];
  const heap = trainingStepMemory(c, { batch: 1, seq: 16, trainable: all }).heapEstimate;
  const fit = checkStepFits(c, { batch: 1, seq: 64, trainable: all }, heap);
  assert.equal(fit.fits, false);
  assert.equal(fit.maxSeq, 16, 'the longest window within the heap (the accounting grows with s)');
  assert.equal(checkStepFits(c, { batch: 1, seq: 16, trainable: all }, heap).message, null);
  const m = trainingStepMemory(c, { batch: 1, seq: 16, trainable: all });
  assert.equal(m.total, m.weights + m.packedCopies + m.activations + m.activationGradients + m.gradients + m.optimizer + m.transients);
  assert.equal(m.heapEstimate, HEAP_FACTOR * Math.max(m.total, m.inference));
  assert.match(fit.message!, /What would fit: a training window of \d+ tokens; or fewer trainable parts .*native TensorFlow/);
});

test('a run that cannot fit the wasm heap is refused before it starts, with the numbers and what would fit', async () => {
  await selectBackend('wasm');
  const task = (seq: number) => ({ train: [{ inputIds: new Array<number>(seq).fill(1), lossMask: new Array<number>(seq).fill(1) }] }) as unknown as PreparedTask;
  const config = { ...toRunConfig(RunSettingsSchema.parse({}), null), microBatchSize: 1 };
  const shape = (name: string) => (findShapes([name])[0]!.weights as { config: LlamaConfig }).config;
  assert.throws(
    () => assertRunFits(shape('SmolLM2-360M'), { task: task(128), config }),
    /does not fit this computer's memory: a training step needs about [\d.]+ GiB .* What would fit: .*native TensorFlow/,
  );
  assert.doesNotThrow(() => assertRunFits(shape('stories15M'), { task: task(128), config }));
});
