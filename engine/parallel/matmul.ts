/**
 * The machine's arithmetic roofline as the engine sees it: wall seconds of `reps` products of two seeded random
 * [n, n] float32 matrices on the active backend (2n³ FLOPs each), after one untimed product. The bench times
 * this on the main thread alone and on every thread of a pool at once (threads.ts in engine/bench), so training
 * and scan speeds can be stated as a fraction of the FLOP/s one and N threads reach on one large product.
 */
import * as tf from '@tensorflow/tfjs';

/** FLOPs of one [n, n] × [n, n] product (one multiply and one add per term). */
export function matMulFlops(n: number): number {
  return 2 * n ** 3;
}

/** Seconds of `reps` [n, n] products (read back after the last). */
export async function timeMatMul(n: number, reps: number): Promise<number> {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  try {
    const warm = tf.matMul(a, b);
    await warm.data();
    warm.dispose();
    const start = performance.now();
    for (let i = 0; i < reps; i++) {
      const c = tf.matMul(a, b);
      if (i === reps - 1) await c.data();
      c.dispose();
    }
    return (performance.now() - start) / 1000;
  } finally {
    tf.dispose([a, b]);
  }
}
