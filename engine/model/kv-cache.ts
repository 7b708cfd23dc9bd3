/**
 * Key/value cache for incremental (decode) forward passes: per block, the keys and values of every position
 * processed so far, in a preallocated buffer `[batch, nKvHeads, capacity, headDim]` that grows in chunks of
 * CACHE_CHUNK positions. New positions are written into the buffer in place (wasm and cpu backends: straight
 * into the backend's memory; other backends: a functional slice-and-concat of the buffer), so a decode step no
 * longer copies the whole cache as the former concat-per-step did; the buffer is reallocated (one copy) once
 * every CACHE_CHUNK positions. Positions at and beyond `length` hold zeros, and a decode step attends over the
 * whole buffer with `mask` (0 below `length`, −1e9 from there on) added to its scores: the masked positions get
 * a probability of exactly 0 and contribute exactly 0 to the mix.
 *
 * Blocks whose attention sub-layer is dropped keep no buffer. Create with createKvCache, free with
 * disposeKvCache.
 */
import * as tf from '@tensorflow/tfjs';

/** Positions the buffers grow by. */
export const CACHE_CHUNK = 32;

/** Additive mask value for positions a query may not attend to (exp underflows to exactly 0 in float32). */
export const MASKED = -1e9;

/** Cached keys/values of one block. */
export interface BlockCache {
  /** [batch, nKvHeads, capacity, headDim]; positions ≥ the cache length are zero */
  keys: tf.Tensor4D;
  /** [batch, nKvHeads, capacity, headDim] */
  values: tf.Tensor4D;
}

/** The cache of a whole model. */
export interface KvCache {
  /** Number of positions already processed (the next token's position). */
  length: number;
  /** One entry per block; null before the block's first step or when its attention is dropped. */
  blocks: (BlockCache | null)[];
  /** Positions every buffer holds (0 before the first step). */
  capacity: number;
  /**
   * [batch, nHeads, 1, capacity] additive attention mask of a one-token step (the scores' own shape: the wasm
   * backend's broadcasting add is ~100× slower than its plain one): 0 for positions < `maskLength`, MASKED
   * beyond; updated in place. Null before the first decode step and after a reallocation.
   */
  mask: tf.Tensor4D | null;
  /** Positions the mask lets through. */
  maskLength: number;
  /** Writes done in place (a count, for tests), and buffer reallocations. */
  stats: { inPlaceWrites: number; reallocations: number };
}

/** An empty cache for a model with nLayers blocks. */
export function createKvCache(nLayers: number): KvCache {
  return {
    length: 0, blocks: new Array<BlockCache | null>(nLayers).fill(null), capacity: 0, mask: null, maskLength: 0,
    stats: { inPlaceWrites: 0, reallocations: 0 },
  };
}

interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}
interface CpuBackend {
  data: { get(id: tf.DataId): { values?: Float32Array } | undefined };
  readSync(id: tf.DataId): Float32Array;
}

/**
 * The float32 storage of a tensor on the wasm or cpu backend, writable in place; null on other backends.
 * Writing into it changes the tensor's value (and that of every tensor sharing its data, e.g. its reshapes).
 */
function storage(t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const name = tf.getBackend();
  if (name === 'wasm') return (tf.backend() as unknown as HeapBackend).typedArrayFromHeap(t);
  if (name === 'cpu') return (tf.backend() as unknown as CpuBackend).data.get(t.dataId)?.values ?? null;
  return null;
}

function read(t: tf.Tensor): Float32Array {
  const name = tf.getBackend();
  if (name === 'wasm') return (tf.backend() as unknown as HeapBackend).typedArrayFromHeap(t);
  return (tf.backend() as unknown as CpuBackend).readSync(t.dataId);
}

/**
 * Whether buffers may be written in place: wasm or cpu, and more than one (batch, kv head) matrix. The wasm
 * backend's XNNPACK path keeps a packed copy of the right operand of a plain 2-D product keyed by its data;
 * a single [capacity, headDim] value matrix would take that path in probs · V and the packed copy would go
 * stale after an in-place write.
 */
function canWriteInPlace(rows: number): boolean {
  const name = tf.getBackend();
  return rows > 1 && (name === 'wasm' || name === 'cpu');
}

/** Copies rows [offset, offset + seq) of axis 2 from `src` ([b, h, seq, d]) into `dst` ([b, h, cap, d]). */
function writeRows(dst: tf.Tensor4D, src: tf.Tensor4D, offset: number): boolean {
  const [b, h, cap, d] = dst.shape;
  const seq = src.shape[2];
  if (!canWriteInPlace(b * h)) return false;
  const from = read(src); // read before taking the destination view (a wasm read may not grow the heap, but be safe)
  const to = storage(dst);
  if (!to) return false;
  for (let m = 0; m < b * h; m++) to.set(from.subarray(m * seq * d, (m + 1) * seq * d), (m * cap + offset) * d);
  return true;
}

/** `buffer` with rows [offset, offset + seq) of axis 2 replaced by `rows`, as a new tensor (any backend). */
function replacedRows(buffer: tf.Tensor4D, rows: tf.Tensor4D, offset: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, cap, d] = buffer.shape;
    const seq = rows.shape[2];
    const parts: tf.Tensor4D[] = [];
    if (offset > 0) parts.push(tf.slice(buffer, [0, 0, 0, 0], [b, h, offset, d]));
    parts.push(rows);
    if (offset + seq < cap) parts.push(tf.slice(buffer, [0, 0, offset + seq, 0], [b, h, cap - offset - seq, d]));
    return tf.concat(parts, 2);
  });
}

/** A zero buffer of `capacity` positions holding the first `keep` positions of `old` (if any). */
function grown(old: tf.Tensor4D | null, like: tf.Tensor4D, capacity: number, keep: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, , d] = like.shape;
    if (!old || keep === 0) return tf.zeros([b, h, capacity, d]) as tf.Tensor4D;
    const head = keep === old.shape[2] ? old : tf.slice(old, [0, 0, 0, 0], [b, h, keep, d]);
    return tf.concat([head, tf.zeros([b, h, capacity - keep, d])], 2) as tf.Tensor4D;
  });
}

/** Replaces a kept tensor of the cache by another (kept), disposing the old one. */
function swap<T extends tf.Tensor>(old: T | null, next: T): T {
  tf.keep(next);
  if (old && old !== next) old.dispose();
  return next;
}

/**
 * Makes room for positions [0, needed) (reallocating every buffer to a larger capacity, in CACHE_CHUNK steps,
 * never beyond maxSeqLen). Call once per forward pass, before writing.
 */
export function reserveCache(cache: KvCache, needed: number, maxSeqLen: number): void {
  if (needed <= cache.capacity) return;
  const capacity = Math.min(maxSeqLen, Math.ceil(needed / CACHE_CHUNK) * CACHE_CHUNK + CACHE_CHUNK);
  cache.blocks = cache.blocks.map((block) =>
    block
      ? {
          keys: swap(block.keys, grown(block.keys, block.keys, capacity, cache.length)),
          values: swap(block.values, grown(block.values, block.values, capacity, cache.length)),
        }
      : null,
  );
  cache.mask?.dispose();
  cache.mask = null;
  cache.maskLength = 0;
  cache.capacity = capacity;
  cache.stats.reallocations++;
}

/**
 * Writes new keys/values ([batch, nKvHeads, seq, headDim]) of block l at positions [cache.length, + seq) into
 * its buffer (reserveCache must have made room); returns the block's buffers. The cache owns them.
 * @throws Error when there is no room (reserveCache was not called)
 */
export function appendToCache(cache: KvCache, l: number, keys: tf.Tensor4D, values: tf.Tensor4D): BlockCache {
  const offset = cache.length;
  const seq = keys.shape[2];
  if (offset + seq > cache.capacity) {
    throw new Error(`KV cache holds ${cache.capacity} positions, ${offset + seq} needed: call reserveCache first`);
  }
  let block = cache.blocks[l];
  if (!block) {
    block = { keys: grown(null, keys, cache.capacity, 0), values: grown(null, values, cache.capacity, 0) };
    tf.keep(block.keys);
    tf.keep(block.values);
    cache.blocks[l] = block;
  }
  for (const [name, rows] of [['keys', keys], ['values', values]] as const) {
    if (writeRows(block[name], rows, offset)) cache.stats.inPlaceWrites++;
    else block[name] = swap(block[name], replacedRows(block[name], rows, offset));
  }
  return block;
}

/**
 * The step mask ([batch, heads, 1, capacity], see KvCache.mask) letting positions [0, visible) through, created
 * on first use after a (re)allocation and then updated in place when possible.
 * @throws Error when the cache has no buffers yet (reserveCache was not called)
 */
export function cacheMask(cache: KvCache, visible: number, batch: number, heads: number): tf.Tensor4D {
  if (cache.capacity === 0) throw new Error('KV cache has no buffers yet: call reserveCache first');
  const fresh = (): tf.Tensor4D => {
    const values = new Float32Array(batch * heads * cache.capacity).fill(MASKED);
    for (let r = 0; r < batch * heads; r++) values.fill(0, r * cache.capacity, r * cache.capacity + visible);
    return tf.tensor4d(values, [batch, heads, 1, cache.capacity]);
  };
  const m = cache.mask;
  if (!m || m.shape[0] !== batch || m.shape[1] !== heads) {
    cache.mask = swap(m, fresh());
  } else if (cache.maskLength !== visible) {
    const to = visible > cache.maskLength ? storage(m) : null;
    if (to) {
      for (let r = 0; r < batch * heads; r++) to.fill(0, r * cache.capacity + cache.maskLength, r * cache.capacity + visible);
    } else {
      cache.mask = swap(m, fresh());
    }
  }
  cache.maskLength = visible;
  return cache.mask!;
}

/** Frees every cached tensor. */
export function disposeKvCache(cache: KvCache): void {
  for (const b of cache.blocks) {
    b?.keys.dispose();
    b?.values.dispose();
  }
  cache.mask?.dispose();
  cache.mask = null;
  cache.blocks.fill(null);
  cache.length = 0;
  cache.capacity = 0;
  cache.maskLength = 0;
}
