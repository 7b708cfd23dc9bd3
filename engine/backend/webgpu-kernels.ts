/**
 * The single-kernel RMSNorm and RoPE of inference-kernels.ts for the webgpu backend, in WGSL through
 * tfjs-backend-webgpu's program API (`backend.runWebGPUProgram`). The differentiable compositions are six
 * kernels each (RMSNorm: square, mean, add, rsqrt, mul, mul; RoPE: split, neg, concat, mul, mul, add); a
 * batch-1 decode step of a 12-block model runs ~250 of them, and on a GPU every kernel is a dispatch whose
 * fixed cost dwarfs the arithmetic of a [1, dim] row. Same functions, same float32 inputs: RMSNorm sums x² in
 * float32 by a tree reduction (the composition's mean also sums in float32, in another order), RoPE computes
 * exactly the composition's products and sum. No gradient: used only while no gradient tape records
 * (engine/model/derived.ts recordingGradients), like the wasm kernels.
 *
 * `TRIMLLM_WEBGPU_FAST_KERNELS=0` leaves them unregistered (the compositions run); useWebGpuInferenceKernels
 * switches them in one process.
 */
import * as tf from '@tensorflow/tfjs';
import { webgpu_util } from '@tensorflow/tfjs-backend-webgpu';
import { RMS_NORM_KERNEL, ROPE_KERNEL } from './inference-kernels.ts';

/** The tfjs-backend-webgpu program fields we set (its `WebGPUProgram` interface). */
interface Program {
  variableNames: string[];
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  shaderKey: string;
  uniforms?: string;
  size?: boolean;
  getUserCode(): string;
}

interface WebGpuBackendLike {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: { type: string; data: number[] }[]): tf.TensorInfo;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap };

/** Threads per workgroup of the RMSNorm reduction (one workgroup per row). */
const NORM_WORKGROUP = 128;
/** Threads per workgroup of RoPE (one thread per element). */
const ROPE_WORKGROUP = 128;

/** The same tensor data seen as [rows, cols] (a view: webgpu tensors are flat buffers). */
function as2d(t: tf.TensorInfo, cols: number): tf.TensorInfo {
  return { dataId: t.dataId, shape: [tf.util.sizeFromShape(t.shape) / cols, cols], dtype: t.dtype };
}

/**
 * y = x / sqrt(mean(x²) + eps) · gain over the last axis; x [..., dim] float32, gain [dim]. One workgroup per
 * row: each thread sums x² over a stride of the row, a tree reduction in workgroup memory adds the partial
 * sums, then each thread writes its stride.
 */
function rmsNormProgram(rows: number, dim: number): Program {
  return {
    variableNames: ['x', 'gain'],
    outputShape: [rows, dim],
    dispatchLayout: { x: [0, 1] },
    dispatch: [rows, 1, 1],
    workgroupSize: [NORM_WORKGROUP, 1, 1],
    shaderKey: 'trimllmRmsNorm',
    uniforms: 'eps : f32,',
    getUserCode: () => `
      var<workgroup> partial : array<f32, ${NORM_WORKGROUP}>;
      fn main(index : i32) {
        let row = i32(workgroupId.x);
        let tid = i32(localId.x);
        let cols = uniforms.outShape[1];
        var sum = 0.0;
        for (var col = tid; col < cols; col += ${NORM_WORKGROUP}) {
          let v = getX(row, col);
          sum += v * v;
        }
        partial[tid] = sum;
        workgroupBarrier();
        for (var width = ${NORM_WORKGROUP / 2}; width > 0; width = width >> 1) {
          if (tid < width) {
            partial[tid] = partial[tid] + partial[tid + width];
          }
          workgroupBarrier();
        }
        let scale = 1.0 / sqrt(partial[0] / f32(cols) + uniforms.eps);
        for (var col = tid; col < cols; col += ${NORM_WORKGROUP}) {
          setOutputAtCoords(row, col, (getX(row, col) * scale) * getGain(col));
        }
      }`,
  };
}

function rmsNormWebGpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const x = inputs.x!;
  const dim = x.shape[x.shape.length - 1]!;
  const x2 = as2d(x, dim);
  const program = rmsNormProgram(x2.shape[0]!, dim);
  const out = (backend as WebGpuBackendLike).runWebGPUProgram(program, [x2, inputs.gain!], 'float32', [
    { type: 'float32', data: [attrs.eps as number] },
  ]);
  return { dataId: out.dataId, shape: x.shape.slice(), dtype: 'float32' };
}

/**
 * x·cos + rotate_half(x)·sin; x [b, h, s, d] seen as [b·h·s, d], cos/sin [s, d] (rope.ts layout): element
 * (r, j) of x uses row r mod s of the tables (s: the `seq` uniform); rotate_half(x)[j] = −x[j + d/2] for j < d/2, else x[j − d/2].
 */
function ropeProgram(rows: number, d: number): Program {
  const outputShape = [rows, d];
  const dispatchLayout = webgpu_util.flatDispatchLayout(outputShape) as { x: number[] };
  return {
    variableNames: ['x', 'cos', 'sin'],
    outputShape,
    dispatchLayout,
    dispatch: webgpu_util.computeDispatch(dispatchLayout, outputShape, [ROPE_WORKGROUP, 1, 1]) as [number, number, number],
    workgroupSize: [ROPE_WORKGROUP, 1, 1],
    shaderKey: 'trimllmRope',
    size: true,
    uniforms: 'seq : i32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let d = uniforms.outShape[1];
          let halfD = d / 2;
          let row = index / d;
          let j = index - row * d;
          let p = row % uniforms.seq;
          var rotated = 0.0;
          if (j < halfD) {
            rotated = -getX(row, j + halfD);
          } else {
            rotated = getX(row, j - halfD);
          }
          setOutputAtIndex(index, getX(row, j) * getCos(p, j) + rotated * getSin(p, j));
        }
      }`,
  };
}

function ropeWebGpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const x = inputs.x!;
  const [, , seq, d] = x.shape as [number, number, number, number];
  const x2 = as2d(x, d);
  const program = ropeProgram(x2.shape[0]!, d);
  const out = (backend as WebGpuBackendLike).runWebGPUProgram(program, [x2, inputs.cos!, inputs.sin!], 'float32', [
    { type: 'int32', data: [seq] },
  ]);
  return { dataId: out.dataId, shape: x.shape.slice(), dtype: 'float32' };
}

/**
 * Registers both kernels for the webgpu backend, or (false) unregisters them so that the differentiable
 * compositions run, e.g. to measure the difference in one process. Idempotent.
 */
export function useWebGpuInferenceKernels(enabled: boolean): void {
  const registered = tf.getKernel(RMS_NORM_KERNEL, 'webgpu') !== undefined;
  if (enabled && !registered) {
    tf.registerKernel({ kernelName: RMS_NORM_KERNEL, backendName: 'webgpu', kernelFunc: rmsNormWebGpu as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: ROPE_KERNEL, backendName: 'webgpu', kernelFunc: ropeWebGpu as unknown as tf.KernelFunc });
  } else if (!enabled && registered) {
    tf.unregisterKernel(RMS_NORM_KERNEL, 'webgpu');
    tf.unregisterKernel(ROPE_KERNEL, 'webgpu');
  }
}
