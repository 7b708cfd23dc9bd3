import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { inferenceKernelAvailable, RMS_NORM_KERNEL, ROPE_KERNEL } from '../../engine/backend/inference-kernels.ts';
import { rmsNorm } from '../../engine/model/rmsnorm.ts';
import { applyRopeWindow, createRope, disposeRope, ropeWindow } from '../../engine/model/rope.ts';

/** Runs f while a gradient tape records (the composite, differentiable path) and returns its value. */
function underTape(f: (t: tf.Tensor) => tf.Tensor, input: tf.Tensor): tf.Tensor {
  const v = tf.variable(input, true);
  let out: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    out = tf.keep(f(v));
    return tf.sum(out) as tf.Scalar;
  }, [v]);
  tf.dispose([value, ...Object.values(grads), v]);
  return out!;
}

test('inference RMSNorm and RoPE kernels (wasm) equal the differentiable compositions', async () => {
  await selectBackend('wasm');
  assert.ok(inferenceKernelAvailable(RMS_NORM_KERNEL) && inferenceKernelAvailable(ROPE_KERNEL));
  const x = tf.randomNormal([2, 3, 5, 8], 0, 2, 'float32', 1) as tf.Tensor4D;
  const gain = tf.randomUniform([8], 0.5, 1.5, 'float32', 2) as tf.Tensor1D;
  const rope = createRope(8, 16, 10000);
  const window = ropeWindow(rope, 4, 5);
  const before = tf.memory().numTensors;
  const cases: [string, (t: tf.Tensor) => tf.Tensor][] = [
    ['rmsNorm', (t) => rmsNorm(t, gain, 1e-5)],
    ['rope', (t) => applyRopeWindow(t as tf.Tensor4D, window)],
  ];
  for (const [name, f] of cases) {
    const fast = f(x);
    const composite = underTape(f, x);
    const a = (await fast.data()) as Float32Array;
    const b = (await composite.data()) as Float32Array;
    const diff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    assert.ok(diff < 1e-5, `${name}: kernel differs from the composition by ${diff}`);
    assert.ok(b.some((v, i) => v !== x.dataSync()[i]), `${name} changes its input`);
    tf.dispose([fast, composite]);
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  tf.dispose([x, gain, window.cos, window.sin]);
  disposeRope(rope);
});
