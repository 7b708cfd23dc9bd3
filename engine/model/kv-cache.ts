/**
 * Key/value cache for incremental (decode) forward passes: per block, the keys and values of every position
 * processed so far, `[batch, nKvHeads, positions, headDim]`. Blocks whose attention sub-layer is dropped keep
 * no cache. Create with createKvCache, free with disposeKvCache.
 */
import * as tf from '@tensorflow/tfjs';

/** Cached keys/values of one block. */
export interface BlockCache {
  /** [batch, nKvHeads, positions, headDim] */
  keys: tf.Tensor4D;
  /** [batch, nKvHeads, positions, headDim] */
  values: tf.Tensor4D;
}

/** The cache of a whole model. */
export interface KvCache {
  /** Number of positions already processed (the next token's position). */
  length: number;
  /** One entry per block; null before the block's first step or when its attention is dropped. */
  blocks: (BlockCache | null)[];
}

/** An empty cache for a model with nLayers blocks. */
export function createKvCache(nLayers: number): KvCache {
  return { length: 0, blocks: new Array<BlockCache | null>(nLayers).fill(null) };
}

/**
 * Appends new keys/values ([batch, nKvHeads, newPositions, headDim]) to block l; returns the full tensors.
 * The cache takes ownership of the result (callers must keep it out of tf.tidy disposal: see attention.ts).
 */
export function appendToCache(cache: KvCache, l: number, keys: tf.Tensor4D, values: tf.Tensor4D): BlockCache {
  const old = cache.blocks[l];
  const next: BlockCache = old
    ? { keys: tf.concat([old.keys, keys], 2), values: tf.concat([old.values, values], 2) }
    : { keys: tf.clone(keys), values: tf.clone(values) };
  tf.keep(next.keys);
  tf.keep(next.values);
  if (old) {
    old.keys.dispose();
    old.values.dispose();
  }
  cache.blocks[l] = next;
  return next;
}

/** Frees every cached tensor. */
export function disposeKvCache(cache: KvCache): void {
  for (const b of cache.blocks) {
    b?.keys.dispose();
    b?.values.dispose();
  }
  cache.blocks.fill(null);
  cache.length = 0;
}
