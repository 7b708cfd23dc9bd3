import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { namedWeights } from '../../engine/model/weights.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';
import { Trainer } from '../../engine/train/trainer.ts';
import { makeBatch, splitBatch } from '../../engine/train/batch.ts';
import { performance } from '../../engine/trim/measure.ts';
import type { Evaluable } from '../../engine/trim/prepare.ts';
import { randomTokenExamples } from '../../engine/bench/measure.ts';
import { WorkerPool } from '../../engine/parallel/pool.ts';
import { calibrationPerformance, calibrationScan, evaluationCounts, splitCalibration } from '../../engine/parallel/scan.ts';
import { threadShares } from '../../engine/parallel/data-parallel.ts';
import { loadStories } from '../helpers/shared.ts';

// Two copies of stories260K: `serial` trains on one thread, `parallel` with a pool of one worker (2 threads).
let serial: LoadedModel;
let parallel: LoadedModel;
let pool: WorkerPool;
before(async () => {
  serial = await loadStories('wasm');
  parallel = await loadStories('wasm');
  pool = await WorkerPool.start(parallel.model, 2);
});
after(async () => {
  await pool.dispose();
  serial.model.dispose();
  parallel.model.dispose();
});

const TEXTS = [
  'Once upon a time, there was a little dog named Max.',
  'Lily had a red ball. She played with it every day.',
  'Tom saw a big cat on the tree. He was scared.',
  'The sun was hot, so Sue went to the lake to swim.',
  'A bird sang on the roof.',
];

test('splitBatch: consecutive rows, sizes differ by at most one, token counts add up', () => {
  const batch = makeBatch(TEXTS.map((t) => ({ inputIds: serial.tokenizer!.encode(t), lossMask: serial.tokenizer!.encode(t).map(() => 1) })));
  const parts = splitBatch(batch, 2);
  assert.deepEqual(parts.map((p) => p.batch), [3, 2]);
  assert.equal(parts[0]!.realTokens + parts[1]!.realTokens, batch.realTokens);
  assert.equal(parts[0]!.targetTokens + parts[1]!.targetTokens, batch.targetTokens);
  assert.deepEqual([...parts[1]!.ids], [...batch.ids.slice(3 * batch.seq)]);
  assert.equal(splitBatch(batch, 9).length, 5, 'never more parts than rows');
});

test('threadShares: whole micro-batches round-robin when they divide evenly, else each one\'s rows split', () => {
  const mb = (rows: number) => makeBatch(TEXTS.slice(0, rows).map((t) => ({ inputIds: serial.tokenizer!.encode(t), lossMask: serial.tokenizer!.encode(t).map(() => 1) })));
  const four = [mb(1), mb(2), mb(3), mb(4)];
  assert.deepEqual(threadShares(four, 2).map((s) => s.map((b) => b.batch)), [[1, 3], [2, 4]]);
  assert.deepEqual(threadShares([mb(5)], 2).map((s) => s.map((b) => b.batch)), [[3], [2]]);
  assert.deepEqual(threadShares([mb(1)], 2).map((s) => s.length), [1, 0], 'a thread without rows gets an empty share');
  assert.deepEqual(threadShares([mb(2), mb(5), mb(4)], 2).map((s) => s.map((b) => b.batch)), [[1, 3, 2], [1, 2, 2]]);
});

test('data-parallel step on 2 threads equals the single-thread step within 1e-5 relative (whole micro-batches, then split rows)', async () => {
  const examples = TEXTS.map((t) => {
    const inputIds = serial.tokenizer!.encode(t);
    return { inputIds, lossMask: inputIds.map((_, i) => (i >= 2 ? 1 : 0)) };
  });
  const spec = { trainable: { subLayers: ['attn1', 'mlp3', 'mlp4'] } };
  const one = new Trainer(serial.model, spec);
  const two = new Trainer(parallel.model, { ...spec, pool });
  for (const step of [0, 1]) {
    // step 0: two micro-batches, one per thread; step 1: one micro-batch, its rows split across the threads
    const batches = step === 0 ? [makeBatch(examples.slice(0, 3)), makeBatch(examples.slice(3))] : [makeBatch(examples)];
    const a = await one.trainStep(batches, 1e-2);
    const b = await two.trainStep(batches, 1e-2);
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss), `step ${step} loss ${a.loss} vs ${b.loss}`);
    assert.ok(Math.abs(a.gradNorm - b.gradNorm) <= 1e-5 * a.gradNorm, `step ${step} grad norm ${a.gradNorm} vs ${b.gradNorm}`);
  }
  const names = new Set(one.optimizer.paramNames);
  const other = new Map(namedWeights(parallel.model.weights).map((n) => [n.hfName, n.variable]));
  let changed = 0;
  for (const n of namedWeights(serial.model.weights)) {
    const x = (await n.variable.data()) as Float32Array;
    const y = (await other.get(n.hfName)!.data()) as Float32Array;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < x.length; i++) {
      diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
      scale = Math.max(scale, Math.abs(x[i]!));
    }
    if (!names.has(n.hfName)) assert.equal(diff, 0, `${n.hfName} is frozen`);
    else {
      changed++;
      assert.ok(diff <= 1e-5 * scale, `${n.hfName}: max |Δ| ${diff} vs max |w| ${scale}`);
    }
  }
  assert.equal(changed, names.size);
  // the worker's copy received the updates: the scan test below (same pool, trained model) checks it too
  one.dispose();
  two.dispose();
});

test('splitCalibration: every example once, shares balanced by tokens, costliest first', () => {
  const lengths = [10, 3, 7, 7, 2, 9];
  const data: Evaluable = { kind: 'tokens', examples: lengths.map((n) => ({ inputIds: new Array<number>(n).fill(1), lossMask: new Array<number>(n).fill(1) })) };
  // 10 → A, 9 → B, 7 → B (16), 7 → A (17), 3 → B (19), 2 → A (19)
  assert.deepEqual(splitCalibration(data, 2), [[0, 3, 4], [1, 2, 5]]);
  assert.deepEqual(splitCalibration(data, 1), [[0, 1, 2, 3, 4, 5]]);
  assert.equal(splitCalibration(data, 9).length, 6, 'never an empty share');
});

test('parallel calibration scan on 2 threads: scores identical to the serial scan', async () => {
  const { model, tokenizer } = parallel;
  const keep = keepMaskWithout(5, ['mlp2']);
  const sets: Evaluable[] = [
    {
      kind: 'tokens',
      examples: [
        ...TEXTS.map((t) => ({ inputIds: tokenizer!.encode(t), lossMask: tokenizer!.encode(t).map(() => 1) })),
        ...randomTokenExamples(12, 24, 512, 7),
      ],
    },
    {
      kind: 'choice',
      items: TEXTS.map((t, i) => {
        const choices = [t.slice(20), TEXTS[(i + 1) % 5]!.slice(20), TEXTS[(i + 2) % 5]!.slice(20)];
        return { context: t.slice(0, 20), continuations: choices, choices, gold: i % 3 };
      }),
    },
  ];
  const before = tf.memory().numTensors;
  for (const data of sets) {
    // the examples are split between the threads (P from counts, norms from per-example squares)
    assert.equal(splitCalibration(data, 2).length, 2);
    const serialScores = await calibrationScan(model, tokenizer!, keep, data, null);
    const parallelScores = await calibrationScan(model, tokenizer!, keep, data, pool);
    assert.deepEqual(parallelScores, serialScores);
    assert.equal(parallelScores.length, 9);
    assert.ok(serialScores.every((s) => s.activationNorm > 0), 'activation norms computed');
    assert.deepEqual(serialScores.map((s) => s.calibrationPerformance), await Promise.all(
      serialScores.map((s) => performance(model, tokenizer!, data, keep.map((k, i) => k && i !== s.index))),
    ), 'P as the evaluation computes it');
    assert.equal(await calibrationPerformance(model, tokenizer!, data, keep, pool), await performance(model, tokenizer!, data, keep),
      'one keep mask\'s P split across threads');
    const counts = await evaluationCounts(model, tokenizer!, data, keep, pool);
    assert.deepEqual(counts, await evaluationCounts(model, tokenizer!, data, keep, null), 'the counts of an evaluation split across threads');
    assert.equal(counts.normHits !== undefined, data.kind === 'choice', 'acc_norm counted for multiple choice');
    if (data.kind === 'tokens') {
      assert.ok(serialScores.some((s) => s.calibrationPerformance !== serialScores[0]!.calibrationPerformance), 'scores differ across candidates');
    }
  }
  assert.equal(tf.memory().numTensors, before);
});
