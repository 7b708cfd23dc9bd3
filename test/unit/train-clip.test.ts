import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { clipByGlobalNorm, globalNorm } from '../../engine/train/clip.ts';

async function normOf(grads: Iterable<tf.Tensor>): Promise<number> {
  let sq = 0;
  for (const g of grads) for (const x of await g.data()) sq += x * x;
  return Math.sqrt(sq);
}

test('global-norm clipping rescales to exactly maxNorm and leaves small gradients alone', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const grads = new Map<string, tf.Tensor>([
    ['a', tf.tensor2d([3, 0, -4, 12], [2, 2])],
    ['b', tf.tensor1d([0, 84])],
  ]); // ‖g‖ = √(9 + 16 + 144 + 7056) = 85
  const n = globalNorm(grads.values());
  assert.ok(Math.abs((await n.data())[0]! - 85) < 1e-4);
  const big = clipByGlobalNorm(grads, 1.5);
  assert.ok(Math.abs((await big.norm.data())[0]! - 85) < 1e-4, 'returns the norm before clipping');
  assert.ok(Math.abs((await normOf(big.grads.values())) - 1.5) < 1e-6, 'clipped norm equals maxNorm');
  const scaled = await big.grads.get('a')!.data();
  assert.ok(Math.abs(scaled[3]! - (12 * 1.5) / 85) < 1e-7, 'direction is kept');
  const small = clipByGlobalNorm(grads, 100);
  for (const [name, g] of grads) assert.deepEqual(await small.grads.get(name)!.data(), await g.data());
  const off = clipByGlobalNorm(grads, Infinity);
  assert.deepEqual(await off.grads.get('b')!.data(), await grads.get('b')!.data());
  assert.throws(() => clipByGlobalNorm(grads, 0), RangeError);
  for (const r of [big, small, off]) tf.dispose([r.norm, ...r.grads.values()]);
  tf.dispose([n, ...grads.values()]);
  assert.equal(tf.memory().numTensors, before);
});
