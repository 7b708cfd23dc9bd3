/**
 * Kernels the tfjs wasm backend (4.22) does not ship, registered so that training works on wasm.
 *
 * `UnsortedSegmentSum` is what the gradient of `gather` (the token-embedding lookup) calls:
 * `dTable = unsortedSegmentSum(dy, ids, vocabSize)`. The wasm backend has no such kernel, so training an
 * embedding or a tied LM head would fail there. We implement it once, on the wasm heap, with the exact
 * semantics of TensorFlow's op: `out[s, ...] = Σ_{i : segmentIds[i] = s} x[i, ...]`; ids outside
 * [0, numSegments) are ignored (as in TF).
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function unsortedSegmentSumWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x!; // [n, ...inner]
  const segmentIds = args.inputs.segmentIds!; // [n]
  const numSegments = args.attrs.numSegments as number;
  const n = segmentIds.shape[0] ?? 0;
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const outVals = backend.typedArrayFromHeap(out); // zero-filled by makeOutput? not guaranteed: clear it
  outVals.fill(0);
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j]! += xs[src + j]!;
  }
  return out;
}

/**
 * A float32 tensor's values as a view of the wasm heap, without a copy, or null on another backend. Read it at
 * once: the view is detached when the heap grows (any later allocation may grow it).
 */
export function wasmHeapView(t: tf.Tensor): Float32Array | null {
  if (tf.getBackend() !== 'wasm' || t.dtype !== 'float32') return null;
  return (tf.backend() as unknown as WasmBackendLike).typedArrayFromHeap(t) as Float32Array;
}

/** Registers the missing wasm kernels; idempotent. */
export function registerMissingWasmKernels(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
  });
}

/*
 * Faster replacements of two wasm kernels (tfjs-backend-wasm 4.22), with the same results up to float32
 * summation order:
 *
 * - `Slice` copies the whole input tensor off the wasm heap (`backend.readSync`) before taking the slice, so
 *   slicing a few rows of a large tensor (the RoPE tables, [maxSeqLen, headDim], twice per attention layer and
 *   step; SplitV, which slices; the loss's logits) costs the size of the input instead of the output. Ours
 *   reads a view of the heap and copies only the slice.
 * - `BatchMatMul` only uses XNNPACK's fast GEMM (fully connected, SIMD) when neither operand is transposed and
 *   there is no batch dimension (tfjs-backend-wasm src/cc/batch_mat_mul_impl.cc); every other product — the
 *   attention's batched q·kᵀ and probs·v, and every matmul gradient (dy·Wᵀ, xᵀ·dy) — runs a scalar triple
 *   loop. Ours materialises the transposes with the wasm Transpose kernel and runs each batch entry through the
 *   original kernel's fast path. Products with fewer than FAST_MATMUL_MIN_DIM output rows or columns (decode
 *   attention, the tied LM head at decode) keep the original path: there, copying the operands would cost as
 *   much as the product.
 *
 * Effect (`trimllm bench`, CPU seconds, 2-core EPYC, these two kernels together with the model changes of
 * llama.ts/attention.ts/rope.ts): one training step 3–4× faster for stories15M/SmolLM2-135M shapes and ~9× for
 * stories110M; SmolLM2-135M decode ~6× (its [8192, 64] RoPE tables were copied whole four times per layer and
 * step by Slice).
 */

/** Output rows and columns from which the fast (transpose + XNNPACK) matmul path is used. */
export const FAST_MATMUL_MIN_DIM = 4;

/*
 * No packed copies kept while training. tfjs-backend-wasm's XNNPACK product (batch_mat_mul_impl.cc xnn_matmul)
 * caches one operator per right operand, keyed by the operand's tensor id, and frees it only when that tensor
 * is disposed: every weight multiplied once keeps a packed copy of itself (4 bytes a value) for as long as the
 * weight lives — 1.26 GB for a SmolLM2-360M shape, more than its activations at 128 tokens. While a gradient is
 * computed (tf.grads / tf.variableGrads, forward and backward), our kernel hands XNNPACK an alias of the right
 * operand instead (a second tensor id on the same heap bytes, no copy) and drops the alias after the product,
 * which frees the operator and its packed copy. There the cache saves little: a trainable weight gets new data
 * at every optimizer step, so its packed copy serves one product; a frozen one's saves one packing per step
 * (O(k·n), measured 35–50% of a 128-row product's time, a few % of a training step whose backward products
 * pack per call anyway). At inference (scans, evaluation, decoding) the cache stays.
 */

/** True while tfjs computes a gradient (its tape exists from the forward pass to the end of backward). */
function computingGradients(): boolean {
  return (tf.engine().state as unknown as { activeTape?: unknown[] | null }).activeTape != null;
}

interface WasmBackendFull extends WasmBackendLike {
  disposeData(dataId: tf.DataId): boolean;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  getMemoryOffset(dataId: tf.DataId): number;
  /** tfjs-backend-wasm internals (4.22): the tensor table and the C++ side's dispose_data (frees no bytes). */
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined; delete(dataId: tf.DataId): void };
  wasm: { tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, memoryOffset: number): void } };
}

/**
 * Frees the XNNPACK operators (and their packed copies) the wasm backend cached on these tensors by an earlier
 * product (inference before a training step: a calibration scan, an evaluation), keeping the tensors and their
 * data: the tensor is unregistered on the C++ side, which runs its disposal callbacks (the operator caches of
 * batch_mat_mul_impl.cc), and registered again on the same bytes. No-op off the wasm backend. Cost: two calls
 * per tensor; the next inference product packs again.
 */
export function releasePackedCopies(tensors: readonly tf.Tensor[]): void {
  if (tf.getBackend() !== 'wasm') return;
  const backend = tf.backend() as unknown as WasmBackendFull;
  for (const t of tensors) {
    const data = backend.dataIdMap.get(t.dataId);
    if (!data) continue;
    backend.wasm.tfjs.disposeData(data.id);
    backend.wasm.tfjs.registerTensor(data.id, t.size, data.memoryOffset);
  }
}

/**
 * Runs `product` on an alias of `t` (same heap bytes, its own tensor id), then unregisters the alias without
 * freeing the bytes, which deletes the XNNPACK operator cached on it (see computingGradients).
 */
function withAlias(backend: WasmBackendFull, t: tf.TensorInfo, product: (alias: tf.TensorInfo) => tf.TensorInfo): tf.TensorInfo {
  const alias = backend.makeOutput([...t.shape], t.dtype, backend.getMemoryOffset(t.dataId));
  try {
    return product(alias);
  } finally {
    backend.wasm.tfjs.disposeData(backend.dataIdMap.get(alias.dataId)!.id);
    backend.dataIdMap.delete(alias.dataId);
  }
}

type Kernel = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }) => tf.TensorInfo;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const ORIGINAL = new Map<string, tf.KernelConfig>();

function sliceWasm(original: Kernel): Kernel {
  return (args) => {
    const x = args.inputs.x!;
    if (x.dtype === 'string') return original(args);
    const backend = args.backend as WasmBackendFull;
    const [begin, sizes] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, args.attrs.begin as number[], args.attrs.size as number[]);
    const out = backend.makeOutput(sizes, x.dtype);
    const total = size(sizes);
    if (total === 0) return out;
    // Views after makeOutput: growing the heap detaches earlier views.
    const xs = backend.typedArrayFromHeap(x);
    const outs = backend.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    const rank = x.shape.length;
    if (tf.slice_util.isSliceContinous(x.shape, begin, sizes)) {
      const offset = tf.slice_util.computeFlatOffset(begin, strides);
      outs.set(xs.subarray(offset, offset + total));
      return out;
    }
    // Copy runs of the last axis; an odometer walks the outer axes.
    const run = sizes[rank - 1]!;
    const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    for (let o = 0; o < total; o += run) {
      let src = begin[rank - 1]!;
      for (let d = 0; d < rank - 1; d++) src += (begin[d]! + index[d]!) * strides[d]!;
      outs.set(xs.subarray(src, src + run), o);
      for (let d = rank - 2; d >= 0; d--) {
        if (++index[d]! < sizes[d]!) break;
        index[d] = 0;
      }
    }
    return out;
  };
}

function batchMatMulWasm(original: Kernel, transposeKernel: Kernel): Kernel {
  return (args) => {
    const a = args.inputs.a!;
    const b = args.inputs.b!;
    const transposeA = Boolean(args.attrs.transposeA);
    const transposeB = Boolean(args.attrs.transposeB);
    const backend = args.backend as WasmBackendFull;
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return original(args);
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = size(batchShape);
    const alreadyFast = !transposeA && !transposeB && batchA === 1 && batchB === 1;
    const broadcastable = (batchA === batch || batchA === 1) && (batchB === batch || batchB === 1);
    // A plain product whose right operand is an input tensor (a temporary of ours frees its operator anyway).
    const plain = (x: tf.TensorInfo, y: tf.TensorInfo) => {
      const run = (b2: tf.TensorInfo) => original({ inputs: { a: x, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } });
      return computingGradients() ? withAlias(backend, y, run) : run(y);
    };
    if (alreadyFast && a.shape.length === 2 && b.shape.length === 2) return plain(a, b);
    if (alreadyFast || !broadcastable || m < FAST_MATMUL_MIN_DIM || n < FAST_MATMUL_MIN_DIM || k === 0 || batch === 0) {
      return original(args);
    }
    const temps: tf.TensorInfo[] = [];
    const keep = <T extends tf.TensorInfo>(t: T): T => (temps.push(t), t);
    const transpose2d = (t: tf.TensorInfo) => keep(transposeKernel({ inputs: { x: t }, backend, attrs: { perm: [1, 0] } }));
    const matmul = (x: tf.TensorInfo, y: tf.TensorInfo) =>
      keep(temps.includes(y) ? original({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } }) : plain(x, y));
    // Operand i of a batch as a 2-D tensor: the tensor itself (reshaped view) when it has one entry, else a copy.
    const entry = (t: tf.TensorInfo, count: number, i: number, rows: number, cols: number): tf.TensorInfo => {
      if (count === 1) return { dataId: t.dataId, shape: [rows, cols], dtype: t.dtype };
      const copy = keep(backend.makeOutput([rows, cols], t.dtype));
      backend.typedArrayFromHeap(copy).set(backend.typedArrayFromHeap(t).subarray(i * rows * cols, (i + 1) * rows * cols));
      return copy;
    };
    // Elements copied: C = op(A)·op(B) directly, or Cᵀ = op(B)ᵀ·op(A)ᵀ then transposed (XNNPACK packs its right
    // operand on every call with a fresh tensor, so that operand counts as a copy).
    const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
    const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + k * m + m * n;
    const out = backend.makeOutput([...batchShape, m, n], 'float32');
    try {
      for (let i = 0; i < batch; i++) {
        const ai = entry(a, batchA, i, transposeA ? k : m, transposeA ? m : k);
        const bi = entry(b, batchB, i, transposeB ? n : k, transposeB ? k : n);
        const c = direct <= swapped
          ? matmul(transposeA ? transpose2d(ai) : ai, transposeB ? transpose2d(bi) : bi)
          : transpose2d(matmul(transposeB ? bi : transpose2d(bi), transposeA ? ai : transpose2d(ai)));
        backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(c), i * m * n);
        while (temps.length > 0) backend.disposeData(temps.pop()!.dataId);
      }
    } finally {
      while (temps.length > 0) backend.disposeData(temps.pop()!.dataId);
    }
    return out;
  };
}

/*
 * `Identity` without a copy. tfjs-core saves the inputs a gradient needs by `clone` (engine
 * saveTensorsForBackwardMode → the Identity kernel), and the wasm Identity copies the bytes, so while a gradient
 * tape records, every weight that enters a product (BatchMatMul saves both operands) and the embedding (gather
 * saves its table; the tied head's product saves it again) is copied once per use: measured +1.1 GB of tensors
 * in the forward pass of a SmolLM2-135M-shaped step at 128 tokens, more than its weights. Ours shares the data
 * (one more reference on the same bytes, as tfjs's cpu backend and the wasm Reshape do): nothing in tfjs writes
 * a tensor's bytes after creating it, and the engine's in-place writers (kv-cache.ts, a cache buffer never under
 * a tape) never clone.
 */
function identityShared(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x!;
  (args.backend as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/**
 * Replaces the wasm `Slice` and `BatchMatMul` kernels with the faster ones above (same setup function, so the
 * originals' wasm bindings are still initialised) and `Identity` with the shared one; `false` restores the
 * originals. Call before the wasm backend initialises (selectBackend does) or at any time after. Idempotent.
 */
export function useFastWasmKernels(enabled = true): void {
  for (const name of ['Slice', 'BatchMatMul', 'Transpose', 'Identity']) {
    if (!ORIGINAL.has(name)) {
      const config = tf.getKernel(name, 'wasm');
      if (!config) return; // wasm backend not imported
      ORIGINAL.set(name, config);
    }
  }
  const original = (name: string) => ORIGINAL.get(name)!;
  const replace = (config: tf.KernelConfig) => {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  };
  if (!enabled) {
    replace(original('Slice'));
    replace(original('BatchMatMul'));
    replace(original('Identity'));
    return;
  }
  replace({ ...original('Identity'), kernelFunc: identityShared as unknown as tf.KernelFunc });
  const transpose = original('Transpose').kernelFunc as unknown as Kernel;
  replace({ ...original('Slice'), kernelFunc: sliceWasm(original('Slice').kernelFunc as unknown as Kernel) as unknown as tf.KernelFunc });
  replace({
    ...original('BatchMatMul'),
    kernelFunc: batchMatMulWasm(original('BatchMatMul').kernelFunc as unknown as Kernel, transpose) as unknown as tf.KernelFunc,
  });
}
