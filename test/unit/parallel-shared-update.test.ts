import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { AdamW } from '../../engine/train/adamw.ts';
import { HostAdamW } from '../../engine/parallel/host-adamw.ts';
import { adamwShard, loadShared, reduceShard, shardRange, writeGradients } from '../../engine/parallel/shared-update.ts';

test('shardRange: the parts of a parameter are contiguous, disjoint and cover it', () => {
  for (const [size, parts] of [[7, 3], [2, 3], [768, 2], [1, 1]] as const) {
    let next = 0;
    for (let j = 0; j < parts; j++) {
      const [start, end] = shardRange(size, j, parts);
      assert.equal(start, next);
      assert.ok(end >= start);
      next = end;
    }
    assert.equal(next, size);
  }
});

test('three threads of shared update (gradients, reduce, clip, AdamW, load) equal AdamW on the backend with clipInPlace', async () => {
  await selectBackend('wasm');
  const w0 = [0.5, -1.25, 2, 0.003, -0.7, 1.1, 0.25];
  const b0 = [0.1, -0.2, 0.3];
  // per thread and step: gradients of [7, 1]-shaped w (a matrix: decayed) and [3] b (a vector: not decayed)
  const parts = [
    [{ w: [0.3, -0.1, 0.02, 5, -2, 0, 1], b: [1, -1, 0.5] }, { w: [-0.2, 0.4, 0.1, 0.3, 0.1, -0.5, 0], b: [0.2, 0.2, -0.1] }],
    [{ w: [0.1, 0.1, -0.3, -1, 0.5, 0.2, 0.3], b: [0, 0.4, 0.1] }, { w: [0.2, -0.3, 0.05, 0.1, -0.2, 0.1, 0.4], b: [-0.3, 0.1, 0] }],
    [{ w: [0, 0.2, 0.2, 2, 1, -0.1, -0.6], b: [0.5, 0, 0] }, { w: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], b: [0.1, -0.1, 0.2] }],
  ];
  const make = () => ({
    w: tf.tidy(() => tf.variable(tf.tensor2d(w0, [7, 1]), true)),
    b: tf.tidy(() => tf.variable(tf.tensor1d(b0), true)),
  });
  const device = make();
  const host = make();
  const options = { weightDecay: 0.1 };
  const deviceOpt = new AdamW([{ name: 'w', variable: device.w }, { name: 'b', variable: device.b }], options);
  const hostOpt = new HostAdamW([{ name: 'w', variable: host.w }, { name: 'b', variable: host.b }], options, 3);
  const shared = hostOpt.shared(['w', 'b']);
  const lrs = [1e-2, 5e-3];
  const maxNorm = 3; // the first step's summed gradient is clipped, the second's is not (asserted below)
  const norms: number[] = [];
  for (const [k, lr] of lrs.entries()) {
    // backend: the summed gradient, clipped by global norm, one AdamW update
    const sum = (key: 'w' | 'b') => parts.map((p) => p[k]![key]).reduce((acc, g) => acc.map((x, i) => x + g[i]!));
    const gw = sum('w');
    const gb = sum('b');
    const norm = Math.sqrt([...gw, ...gb].reduce((a, x) => a + x * x, 0));
    const scale = maxNorm / Math.max(norm, maxNorm);
    norms.push(norm);
    const grads = new Map<string, tf.Tensor>([['w', tf.tensor2d(gw.map((x) => x * scale), [7, 1])], ['b', tf.tensor1d(gb.map((x) => x * scale))]]);
    deviceOpt.apply(grads, lr);
    tf.dispose([...grads.values()]);
    // shared memory: each thread writes its own gradients (thread 2 in two halves, accumulated), then 3 shards
    for (const [j, p] of parts.entries()) {
      const g = p[k]!;
      const whole = new Map<string, tf.Tensor>([['w', tf.tensor2d(g.w, [7, 1])], ['b', tf.tensor1d(g.b)]]);
      if (j < 2) await writeGradients(shared, j, whole, false);
      else {
        const half = (xs: number[]) => xs.map((x) => x / 2);
        const first = new Map<string, tf.Tensor>([['w', tf.tensor2d(half(g.w), [7, 1])], ['b', tf.tensor1d(half(g.b))]]);
        await writeGradients(shared, j, first, false);
        await writeGradients(shared, j, first, true);
        tf.dispose([...first.values()]);
      }
      tf.dispose([...whole.values()]);
    }
    const squares = [0, 1, 2].map((j) => reduceShard(shared, j, 3));
    const hostNorm = Math.sqrt(squares.reduce((a, b) => a + b, 0));
    assert.ok(Math.abs(hostNorm - norm) <= 1e-6 * norm, `step ${k}: norm ${hostNorm} vs ${norm}`);
    const step = hostOpt.nextUpdate(['w', 'b'], lr, maxNorm / Math.max(hostNorm, maxNorm));
    for (const j of [2, 0, 1]) adamwShard(shared, j, 3, step); // shard order does not matter
    loadShared(shared, new Map<string, tf.Variable>([['w', host.w], ['b', host.b]]));
  }
  assert.ok(norms[0]! > maxNorm && norms[1]! < maxNorm, `both branches of clipping: norms ${norms}`);
  for (const key of ['w', 'b'] as const) {
    const a = (await device[key].data()) as Float32Array;
    const b = (await host[key].data()) as Float32Array;
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-6 * Math.max(1, Math.abs(a[i]!)), `${key}[${i}]: ${b[i]} vs ${a[i]}`);
    assert.notDeepEqual([...b], key === 'w' ? w0 : b0, `${key} was updated`);
  }
  // the saved state has the backend optimizer's format and values, and restores into either kind
  const saved = await hostOpt.exportState();
  const reference = await deviceOpt.exportState();
  assert.deepEqual(saved.tensors.map((t) => t.name), reference.tensors.map((t) => t.name));
  assert.deepEqual(saved.paramSteps, { w: 2, b: 2 });
  saved.tensors.forEach((t, i) => t.data.forEach((x, e) => assert.ok(Math.abs(x - reference.tensors[i]!.data[e]!) <= 1e-6 * Math.max(1e-3, Math.abs(x)), t.name)));
  const again = new HostAdamW([{ name: 'w', variable: host.w }], options, 2);
  assert.deepEqual(again.importState(reference), ['b/exp_avg', 'b/exp_avg_sq']);
  assert.deepEqual(new Float32Array(again.shared(['w'])[0]!.m), reference.tensors[0]!.data);
  assert.throws(() => again.importState({ step: 1, tensors: [] }), /missing "w\/exp_avg"/);
  assert.throws(() => again.nextUpdate(['b'], 1e-3, 1), /unknown parameter "b"/);
  assert.throws(() => again.nextUpdate(['w'], NaN, 1), RangeError);
  deviceOpt.dispose();
  tf.dispose([device.w, device.b, host.w, host.b]);
});
