import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { AdamW } from '../../engine/train/adamw.ts';

/** One AdamW step in float64 plain JS, as documented in adamw.ts (Loshchilov & Hutter 2019, Algorithm 2). */
function referenceStep(
  theta: number[], m: number[], v: number[], g: number[], t: number, lr: number, decay: number,
  b1 = 0.9, b2 = 0.999, eps = 1e-8,
): void {
  for (let i = 0; i < theta.length; i++) {
    m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
    v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
    const mHat = m[i]! / (1 - b1 ** t);
    const vHat = v[i]! / (1 - b2 ** t);
    theta[i] = theta[i]! - lr * (mHat / (Math.sqrt(vHat) + eps) + decay * theta[i]!);
  }
}

function assertClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-6 * Math.max(1, Math.abs(expected[i]!));
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('AdamW steps equal a plain-JS Algorithm 2, with decay on matrices only', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const w0 = [0.5, -1.25, 2, 0.003, -0.7, 1.1];
  const b0 = [0.1, -0.2, 0.3];
  const w = tf.tidy(() => tf.variable(tf.tensor2d(w0, [2, 3]), true, 'adamw-test/w')); // [2, 3] matrix: decayed
  const b = tf.tidy(() => tf.variable(tf.tensor1d(b0), true, 'adamw-test/b')); // [3] vector: not decayed
  const opt = new AdamW([{ name: 'w', variable: w }, { name: 'b', variable: b }], { weightDecay: 0.1 });
  assert.equal(opt.weightDecayOf('w'), 0.1);
  assert.equal(opt.weightDecayOf('b'), 0);
  const ref = { w: [...w0], b: [...b0], mw: new Array(6).fill(0), vw: new Array(6).fill(0), mb: [0, 0, 0], vb: [0, 0, 0] };
  const gradSteps = [
    { w: [0.3, -0.1, 0.02, 5, -2, 0], b: [1, -1, 0.5] },
    { w: [-0.2, 0.4, 0.01, 4, 1, 0.25], b: [0.5, 0.5, -0.5] },
  ];
  const lrs = [1e-2, 5e-3];
  for (let k = 0; k < 2; k++) {
    const gw = tf.tensor2d(gradSteps[k]!.w, [2, 3]);
    const gb = tf.tensor1d(gradSteps[k]!.b);
    opt.apply(new Map<string, tf.Tensor>([['w', gw], ['b', gb]]), lrs[k]!);
    tf.dispose([gw, gb]);
    referenceStep(ref.w, ref.mw, ref.vw, gradSteps[k]!.w, k + 1, lrs[k]!, 0.1);
    referenceStep(ref.b, ref.mb, ref.vb, gradSteps[k]!.b, k + 1, lrs[k]!, 0);
    assertClose(await w.data(), ref.w, `w after step ${k + 1}`);
    assertClose(await b.data(), ref.b, `b after step ${k + 1}`);
  }
  assert.equal(opt.step, 2);
  // first step by hand for one entry: m̂ = g, v̂ = g², so θ − lr·(g/(|g| + ε) + λθ)
  const first = 0.5 - 1e-2 * (0.3 / (0.3 + 1e-8) + 0.1 * 0.5);
  const afterOne = [...w0];
  referenceStep(afterOne, new Array(6).fill(0), new Array(6).fill(0), gradSteps[0]!.w, 1, 1e-2, 0.1);
  assert.ok(Math.abs(afterOne[0]! - first) < 1e-15);
  // a parameter without a gradient is left alone; unknown names and wrong shapes throw before any update
  const bBefore = await b.data();
  const g = tf.ones([2, 3]);
  opt.apply(new Map([['w', g]]), 1e-3);
  assert.deepEqual(await b.data(), bBefore);
  assert.throws(() => opt.apply(new Map([['nope', g]]), 1e-3), /unknown parameter "nope"/);
  assert.throws(() => opt.apply(new Map([['b', g]]), 1e-3), /shape/);
  assert.throws(() => opt.apply(new Map([['w', g]]), NaN), RangeError);
  assert.equal(opt.step, 3);
  g.dispose();
  opt.dispose();
  tf.dispose([w, b]);
  assert.equal(tf.memory().numTensors, before);
});

test('exported state resumes training bit for bit', async () => {
  await selectBackend('wasm');
  const init = [0.2, -0.4, 0.6, -0.8];
  const grads = [[0.1, 0.2, -0.3, 0.4], [-0.5, 0.1, 0.1, 0.2], [0.3, -0.3, 0.2, -0.1]];
  const make = () => tf.variable(tf.tensor2d(init, [2, 2]), true);
  const step = (opt: AdamW, k: number) => {
    const g = tf.tensor2d(grads[k]!, [2, 2]);
    opt.apply(new Map([['p', g]]), 1e-2);
    g.dispose();
  };
  // run A: three steps straight
  const a = make();
  const optA = new AdamW([{ name: 'p', variable: a }]);
  for (let k = 0; k < 3; k++) step(optA, k);
  // run B: one step, export weights + state, continue in a fresh optimizer and variable
  const b = make();
  const optB = new AdamW([{ name: 'p', variable: b }]);
  step(optB, 0);
  const state = await optB.exportState();
  assert.equal(state.step, 1);
  assert.deepEqual(state.tensors.map((t) => t.name), ['p/exp_avg', 'p/exp_avg_sq']);
  const c = tf.variable(tf.tensor2d(await b.data(), [2, 2]), true);
  const optC = new AdamW([{ name: 'p', variable: c }]);
  assert.deepEqual(optC.importState({ ...state, tensors: [...state.tensors, { name: 'gone/exp_avg', shape: [1], data: new Float32Array(1) }] }), ['gone/exp_avg']);
  step(optC, 1);
  step(optC, 2);
  assert.equal(optC.step, 3);
  assert.ok(Buffer.from((await a.data()).buffer).equals(Buffer.from((await c.data()).buffer)));
  assert.throws(() => optC.importState({ step: 1, tensors: [] }), /missing "p\/exp_avg"/);
  const bad = state.tensors.map((t) => ({ ...t, shape: [4] }));
  assert.throws(() => optC.importState({ step: 1, tensors: bad }), /shape/);
  [optA, optB, optC].forEach((o) => o.dispose());
  tf.dispose([a, b, c]);
});

test('invalid hyper-parameters throw RangeError', async () => {
  await selectBackend('wasm');
  const v = tf.variable(tf.zeros([2]));
  assert.throws(() => new AdamW([], { beta1: 1 }), RangeError);
  assert.throws(() => new AdamW([], { epsilon: 0 }), RangeError);
  assert.throws(() => new AdamW([], { weightDecay: -1 }), RangeError);
  assert.throws(() => new AdamW([{ name: 'x', variable: v }, { name: 'x', variable: v }]), /given twice/);
  v.dispose();
});
