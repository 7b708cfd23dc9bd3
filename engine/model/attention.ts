/**
 * Causal grouped-query self-attention (Vaswani et al. 2017, Eq. 1; GQA: Ainslie et al. 2023 §2.2) with RoPE.
 * Query head h reads key/value head ⌊h / (nHeads / nKvHeads)⌋, as in Hugging Face's `repeat_kv` and llama2.c.
 * Grouping is done by reshaping the queries, never by copying keys/values.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from './config.ts';
import type { BlockWeights } from './weights.ts';
import { applyRopeWindow, ropeWindow, type RopeTables } from './rope.ts';
import { appendToCache, cacheMask, MASKED, type KvCache } from './kv-cache.ts';

/** Inputs that are the same for every block of one forward pass. */
export interface AttentionContext {
  config: LlamaConfig;
  rope: RopeTables;
  /** Position of the first input token (the cache length before this pass). */
  offset: number;
  /**
   * The angles of positions offset..offset+seq-1 (rope.ts ropeWindow), sliced once per forward pass; when
   * absent each block slices `rope` itself.
   */
  ropeWindow?: RopeTables;
  /**
   * Additive attention bias, [batch or 1, 1, seq, offset + seq]: 0 where allowed, -1e9 where masked (future
   * positions and padding keys); null when nothing is masked (attentionBias).
   */
  bias: tf.Tensor4D | null;
  /** Cache to read and extend, or null for a full (training/scoring) pass. */
  cache: KvCache | null;
}

/**
 * Builds the attention bias from causality and an optional key padding mask.
 * @param paddingMask [batch, offset + seq], 1 for real tokens, 0 for padding; null when there is none
 * @returns [batch or 1, 1, seq, offset + seq], or null when nothing is masked: one query (a decode step) sees
 *   every key when there is no padding, and adding a bias of zeros would change nothing
 */
export function attentionBias(seq: number, offset: number, paddingMask: tf.Tensor2D | null): tf.Tensor4D | null {
  if (seq === 1 && !paddingMask) return null;
  return tf.tidy(() => {
    const total = offset + seq;
    const allowed = tf.linalg.bandPart(tf.ones([seq, total]), -1, offset); // key j ≤ query i + offset
    let bias: tf.Tensor = tf.mul(tf.sub(1, allowed), MASKED).reshape([1, 1, seq, total]);
    if (paddingMask) {
      const [batch] = paddingMask.shape;
      const keyBias = tf.mul(tf.sub(1, tf.cast(paddingMask, 'float32')), MASKED).reshape([batch, 1, 1, total]);
      bias = tf.add(bias, keyBias);
    }
    return bias as tf.Tensor4D;
  });
}

function project(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor2D {
  const y = tf.matMul(x, w as tf.Tensor2D) as tf.Tensor2D;
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/**
 * The query, key and value projections as one product: `[wq | wk | wv]` ([dim, (nHeads + 2·nKvHeads)·headDim])
 * and the concatenated biases (derived.ts builds and caches it for inference).
 */
export interface FusedQkv {
  weight: tf.Tensor2D;
  bias: tf.Tensor1D | null;
}

/** Concatenates a block's q/k/v projections (and biases) into one FusedQkv (the caller keeps or disposes it). */
export function fuseQkv(w: BlockWeights): FusedQkv {
  return {
    weight: tf.concat([w.wq, w.wk, w.wv], 1) as tf.Tensor2D,
    bias: w.bq && w.bk && w.bv ? (tf.concat([w.bq, w.bk, w.bv]) as tf.Tensor1D) : null,
  };
}

/**
 * The attention sub-layer's output (before the residual add).
 * @param x normalised input, [batch, seq, dim]
 * @param layer block index (for the cache)
 * @param fused the block's fused q/k/v projection (one product instead of three), or null to use w's own
 * @returns [batch, seq, dim]
 */
export function selfAttention(
  x: tf.Tensor3D,
  w: BlockWeights,
  layer: number,
  ctx: AttentionContext,
  fused: FusedQkv | null = null,
): tf.Tensor3D {
  return tf.tidy(() => {
    const { nHeads, nKvHeads, headDim } = ctx.config;
    const [batch, seq, dim] = x.shape;
    const group = nHeads / nKvHeads;
    const flat = tf.reshape(x, [batch * seq, dim]) as tf.Tensor2D; // [b·s, dim]
    // [b·s, n·hd] → [b, n, s, hd]; with one position the transpose moves nothing, so a reshape does it.
    const heads = (t: tf.Tensor2D, n: number) =>
      (seq === 1 ? tf.reshape(t, [batch, n, 1, headDim]) : tf.transpose(tf.reshape(t, [batch, seq, n, headDim]), [0, 2, 1, 3])) as tf.Tensor4D;
    const angles = ctx.ropeWindow ?? ropeWindow(ctx.rope, ctx.offset, seq);
    const qkv = fused ? project(flat, fused.weight, fused.bias) : null; // [b·s, (nH + 2·nKv)·hd]
    const part = (from: number, width: number) => tf.slice(qkv!, [0, from * headDim], [-1, width * headDim]);
    const [qFlat, kFlat, vFlat] = qkv
      ? [part(0, nHeads), part(nHeads, nKvHeads), part(nHeads + nKvHeads, nKvHeads)]
      : [project(flat, w.wq, w.bq), project(flat, w.wk, w.bk), project(flat, w.wv, w.bv)];
    const q = applyRopeWindow(heads(qFlat as tf.Tensor2D, nHeads), angles); // [b, nH, s, hd]
    let k = applyRopeWindow(heads(kFlat as tf.Tensor2D, nKvHeads), angles); // [b, nKv, s, hd]
    let v = heads(vFlat as tf.Tensor2D, nKvHeads); // [b, nKv, s, hd]
    let bias = ctx.bias;
    if (ctx.cache) {
      const block = appendToCache(ctx.cache, layer, k, v); // [b, nKv, capacity, hd]
      const visible = ctx.offset + seq;
      if (ctx.offset > 0 && seq === 1 && !bias) {
        // A decode step reads the whole buffer; the mask hides the positions not written yet.
        k = block.keys;
        v = block.values;
        bias = cacheMask(ctx.cache, visible, batch, nHeads);
      } else if (ctx.offset > 0) {
        k = tf.slice(block.keys, [0, 0, 0, 0], [batch, nKvHeads, visible, headDim]);
        v = tf.slice(block.values, [0, 0, 0, 0], [batch, nKvHeads, visible, headDim]);
      } // else (a first pass): the keys/values just computed are all there is
    }
    const t = k.shape[2];
    const qGrouped = tf.reshape(q, [batch, nKvHeads, group * seq, headDim]); // heads of one kv group together
    const scores = tf.reshape(
      tf.mul(tf.matMul(qGrouped, k, false, true), 1 / Math.sqrt(headDim)),
      [batch, nHeads, seq, t],
    ); // [b, nH, s, t]
    const probs = tf.softmax(bias ? tf.add(scores, bias) : scores); // [b, nH, s, t]
    const mixed = tf.matMul(tf.reshape(probs, [batch, nKvHeads, group * seq, t]), v); // [b, nKv, g·s, hd]
    const merged = tf.reshape(
      seq === 1 ? mixed : tf.transpose(tf.reshape(mixed, [batch, nHeads, seq, headDim]), [0, 2, 1, 3]),
      [batch * seq, nHeads * headDim],
    ); // [b·s, nH·hd]
    return tf.reshape(tf.matMul(merged, w.wo), [batch, seq, dim]);
  });
}
