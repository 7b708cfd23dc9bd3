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

/** Registers the missing wasm kernels; idempotent. */
export function registerMissingWasmKernels(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
  });
}
