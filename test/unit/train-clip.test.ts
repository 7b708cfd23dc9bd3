import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { clipInPlace, globalNorm } from '../../engine/train/clip.ts';

async function normOf(grads: Iterable<tf.Tensor>): Promise<number> {
  let sq = 0;
  for (const g of grads) for (const x of await g.data()) sq += x * x;
  return Math.sqrt(sq);
}

/** ‖g‖ = √(9 + 16 + 144 + 7056) = 85 */
const example = () =>
  new Map<string, tf.Tensor>([
    ['a', tf.tensor2d([3, 0, -4, 12], [2, 2])],
    ['b', tf.tensor1d([0, 84])],
  ]);

test('global-norm clipping rescales to exactly maxNorm in place and leaves small gradients alone', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const grads = example();
  const n = globalNorm(grads.values());
  assert.ok(Math.abs((await n.data())[0]! - 85) < 1e-4);
  const inputs = [...grads.values()];
  const bigNorm = clipInPlace(grads, 1.5);
  assert.ok(inputs.every((t) => t.isDisposed), 'the unclipped gradients are freed at once (no second copy)');
  assert.ok(Math.abs((await bigNorm.data())[0]! - 85) < 1e-4, 'returns the norm before clipping');
  assert.ok(Math.abs((await normOf(grads.values())) - 1.5) < 1e-6, 'clipped norm equals maxNorm');
  assert.ok(Math.abs((await grads.get('a')!.data())[3]! - (12 * 1.5) / 85) < 1e-7, 'direction is kept');
  const small = example();
  const smallNorm = clipInPlace(small, 100);
  assert.deepEqual([...(await small.get('b')!.data())], [0, 84]);
  const off = example();
  const offB = off.get('b')!;
  const offNorm = clipInPlace(off, Infinity);
  assert.equal(off.get('b'), offB, 'Infinity computes the norm only');
  assert.throws(() => clipInPlace(off, 0), RangeError);
  tf.dispose([n, bigNorm, smallNorm, offNorm, ...grads.values(), ...small.values(), ...off.values()]);
  assert.equal(tf.memory().numTensors, before);
});
