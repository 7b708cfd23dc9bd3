/**
 * Padding-aware batches for causal-LM training.
 *
 * Examples are right-padded to the longest one in the batch (pad id 0 by default: padded positions are masked
 * out of attention as keys and carry no loss, so the id never matters). Targets are the inputs shifted by one:
 * position t (t < s − 1) predicts token t + 1, weighted by that token's loss mask.
 *
 *   ids          [b, s]       int32     example tokens, then padId
 *   paddingMask  [b, s]       float32   1 real token, 0 padding
 *   targets      [b, s − 1]   int32     ids[:, 1:]
 *   targetMask   [b, s − 1]   float32   lossMask[:, 1:] (0 on padding)
 *
 * The host part (makeBatch) is plain typed arrays, testable without TensorFlow.js; toTensors uploads it.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingExample } from './example.ts';

/** A batch on the host, row-major. */
export interface HostBatch {
  /** Number of examples b. */
  batch: number;
  /** Padded length s (longest example). */
  seq: number;
  /** [b, s] token ids, right-padded with padId. */
  ids: Int32Array;
  /** [b, s] 1 for real tokens, 0 for padding. */
  paddingMask: Float32Array;
  /** [b, s − 1] next-token targets (ids shifted left by one). */
  targets: Int32Array;
  /** [b, s − 1] 1 where the target is trained on, else 0. */
  targetMask: Float32Array;
  /** True when some row is padded (otherwise the padding mask can be left out of the forward pass). */
  padded: boolean;
  /** Real (non-pad) input tokens, Σ paddingMask. */
  realTokens: number;
  /** Trained target tokens, Σ targetMask. */
  targetTokens: number;
}

/**
 * Builds a right-padded batch.
 * @param examples ≥ 1 examples, each with ≥ 2 tokens (see validateExample)
 * @param padId id written at padded positions (default 0)
 * @throws RangeError when the list is empty or an example is shorter than 2 tokens or has mismatched lengths
 */
export function makeBatch(examples: readonly TrainingExample[], padId = 0): HostBatch {
  if (examples.length === 0) throw new RangeError('makeBatch needs at least one example');
  const b = examples.length;
  let s = 0;
  examples.forEach((e, i) => {
    if (e.inputIds.length < 2 || e.lossMask.length !== e.inputIds.length) {
      throw new RangeError(`batch example ${i}: needs ≥ 2 tokens and a lossMask of the same length`);
    }
    s = Math.max(s, e.inputIds.length);
  });
  const ids = new Int32Array(b * s).fill(padId);
  const paddingMask = new Float32Array(b * s);
  const targets = new Int32Array(b * (s - 1)).fill(padId);
  const targetMask = new Float32Array(b * (s - 1));
  let realTokens = 0;
  let targetTokens = 0;
  examples.forEach((e, r) => {
    const n = e.inputIds.length;
    for (let t = 0; t < n; t++) {
      ids[r * s + t] = e.inputIds[t]!;
      paddingMask[r * s + t] = 1;
    }
    for (let t = 0; t < n - 1; t++) {
      targets[r * (s - 1) + t] = e.inputIds[t + 1]!;
      const w = e.lossMask[t + 1] ? 1 : 0;
      targetMask[r * (s - 1) + t] = w;
      targetTokens += w;
    }
    realTokens += n;
  });
  return { batch: b, seq: s, ids, paddingMask, targets, targetMask, padded: realTokens < b * s, realTokens, targetTokens };
}

/** A batch on the device. The owner calls disposeBatch. */
export interface BatchTensors {
  /** [b, s] int32 */
  ids: tf.Tensor2D;
  /** [b, s] float32, or null when no row is padded. */
  paddingMask: tf.Tensor2D | null;
  /** [b, s − 1] int32 */
  targets: tf.Tensor2D;
  /** [b, s − 1] float32 */
  targetMask: tf.Tensor2D;
}

/** Uploads a host batch (the caller disposes the result with disposeBatch). */
export function toTensors(h: HostBatch): BatchTensors {
  return {
    ids: tf.tensor2d(h.ids, [h.batch, h.seq], 'int32'),
    paddingMask: h.padded ? tf.tensor2d(h.paddingMask, [h.batch, h.seq], 'float32') : null,
    targets: tf.tensor2d(h.targets, [h.batch, h.seq - 1], 'int32'),
    targetMask: tf.tensor2d(h.targetMask, [h.batch, h.seq - 1], 'float32'),
  };
}

/** Frees the tensors of a batch. */
export function disposeBatch(t: BatchTensors): void {
  tf.dispose([t.ids, t.targets, t.targetMask]);
  if (t.paddingMask) t.paddingMask.dispose();
}

/**
 * Splits a batch by rows into at most `parts` batches of consecutive rows (sizes differ by at most one; parts
 * with no target token are left out), each keeping the padded length s. Rows are independent in a causal model
 * with right padding, so the parts' losses and gradients add up to the whole batch's.
 * @throws RangeError when parts is not a positive integer
 */
export function splitBatch(h: HostBatch, parts: number): HostBatch[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`parts must be a positive integer, got ${parts}`);
  const n = Math.min(parts, h.batch);
  const out: HostBatch[] = [];
  let row = 0;
  for (let p = 0; p < n; p++) {
    const rows = Math.floor(h.batch / n) + (p < h.batch % n ? 1 : 0);
    const s = h.seq;
    const paddingMask = h.paddingMask.slice(row * s, (row + rows) * s);
    const targetMask = h.targetMask.slice(row * (s - 1), (row + rows) * (s - 1));
    const realTokens = paddingMask.reduce((a, b) => a + b, 0);
    const targetTokens = targetMask.reduce((a, b) => a + b, 0);
    const part: HostBatch = {
      batch: rows,
      seq: s,
      ids: h.ids.slice(row * s, (row + rows) * s),
      paddingMask,
      targets: h.targets.slice(row * (s - 1), (row + rows) * (s - 1)),
      targetMask,
      padded: realTokens < rows * s,
      realTokens,
      targetTokens,
    };
    if (targetTokens > 0) out.push(part);
    row += rows;
  }
  return out;
}
