/**
 * The WebGPU backend (`@tensorflow/tfjs-backend-webgpu`) over Dawn's Node binding (the `webgpu` package, which
 * ships Dawn's binary: nothing is downloaded at install). WebGPU reaches NVIDIA, AMD and Intel GPUs through
 * Vulkan, Apple silicon through Metal and Windows GPUs through D3D12.
 *
 * tfjs-backend-webgpu registers its backend at import time only when `globalThis.navigator.gpu` exists, and its
 * kernels use the WebGPU constants (`GPUBufferUsage`, `GPUMapMode`, …) as globals, as in a browser. So before
 * importing it we install Dawn's globals and `navigator.gpu`. Before that we ask Dawn for an adapter ourselves
 * (probeWebGpu), so that the reason the backend was not used — no adapter (no GPU, no Vulkan loader, or a
 * driver Dawn refuses, e.g. lavapipe 22.3 without `shaderUniform*ArrayDynamicIndexing`), a software (fallback)
 * adapter, or limits below WebGPU's defaults — is recorded for `trimllm doctor`, and the adapter and limits are
 * reported when it is used. Whether a given model fits the adapter's limits is checked at load time
 * (webgpuModelFit).
 *
 * Dawn keeps the Node process alive while a `GPU` object is referenced (webgpu package README, "Lifetime"); the
 * `GPU` is installed only once an adapter was found, and releaseWebGpu() removes it again.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from '../model/config.ts';
import { BYTES_PER_PARAMETER } from '../model/params.ts';

/** The part of a WebGPU adapter's `limits` we read and report, in bytes or counts (WebGPU spec §3.6.2). */
export const REPORTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** One of REPORTED_LIMITS. */
export type ReportedLimit = (typeof REPORTED_LIMITS)[number];

/**
 * WebGPU's default limits (WebGPU spec §3.6.2, "Limits" table): every conforming adapter offers at least these;
 * tfjs-backend-webgpu's shaders assume them (e.g. 8 storage buffers per stage for its widest kernels).
 */
export const WEBGPU_DEFAULT_LIMITS: Readonly<Record<ReportedLimit, number>> = {
  maxBufferSize: 268435456,
  maxStorageBufferBindingSize: 134217728,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBuffersPerShaderStage: 8,
};

/** The adapter fields we read (a structural subset of `GPUAdapter`, so tests can pass a fake). */
export interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  limits: Partial<Record<string, number>>;
  features: { has(name: string): boolean } & Iterable<string>;
  /** Older WebGPU implementations; `info.isFallbackAdapter` in newer ones. */
  isFallbackAdapter?: boolean;
  /** A real adapter's device request (fakes without it cannot initialise the backend). */
  requestDevice?(descriptor: { requiredLimits: Partial<Record<ReportedLimit, number>> }): Promise<unknown>;
}

/** The `navigator.gpu` fields we use (a structural subset of `GPU`). */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}

/** What we know of the adapter the webgpu backend runs on; reported by `trimllm doctor`. */
export interface WebGpuAdapterReport {
  /** One line naming the adapter, e.g. `nvidia hopper: NVIDIA H200 (Vulkan driver 580.159.4)`. */
  adapter: string;
  /** The reported limits of the adapter (bytes or counts). */
  limits: Record<ReportedLimit, number>;
  /** Optional features the adapter offers, sorted (e.g. `shader-f16`, `timestamp-query`). */
  features: string[];
}

/** Why the webgpu backend cannot be used, as a sentence for `trimllm doctor`. */
export class WebGpuUnavailable extends Error {
  override name = 'WebGpuUnavailable';
}

/** The report as `trimllm doctor` prints it: adapter, limits and features, one labelled line each. */
export function formatWebGpuReport(report: WebGpuAdapterReport): string[] {
  return [
    `webgpu adapter    ${report.adapter}`,
    `webgpu limits     ${Object.entries(report.limits).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `webgpu features   ${report.features.join(', ') || 'none'}`,
  ];
}

/** One line naming an adapter from its `info` (vendor, architecture, device, description). */
export function adapterName(adapter: AdapterLike): string {
  const i = adapter.info ?? {};
  const head = [i.vendor, i.architecture].filter((s) => s).join(' ');
  const tail = [i.device, i.description].filter((s) => s).join(' ');
  return [head, tail].filter((s) => s).join(': ') || 'unnamed adapter';
}

/**
 * Asks `gpu` for a high-performance adapter and checks it can run tfjs-backend-webgpu.
 * @throws WebGpuUnavailable `no adapter` when there is none, a software (fallback) adapter (slower than the
 *   wasm backend), or a limit below WebGPU's default (naming the limit and both values)
 */
export async function probeWebGpu(gpu: GpuLike): Promise<WebGpuAdapterReport> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGpuUnavailable('no adapter (no GPU, no Vulkan/Metal/D3D12 driver, or one Dawn does not support)');
  }
  const name = adapterName(adapter);
  if (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter) {
    throw new WebGpuUnavailable(`only a software (fallback) adapter: ${name}`);
  }
  const limits = {} as Record<ReportedLimit, number>;
  for (const key of REPORTED_LIMITS) {
    const value = adapter.limits[key] ?? 0;
    if (value < WEBGPU_DEFAULT_LIMITS[key]) {
      throw new WebGpuUnavailable(`${name}: limit ${key} = ${value} is below WebGPU's default ${WEBGPU_DEFAULT_LIMITS[key]}`);
    }
    limits[key] = value;
  }
  return { adapter: name, limits, features: [...adapter.features].sort() };
}

/**
 * Whether a model's largest tensor fits the adapter: tfjs-backend-webgpu binds each tensor as one storage
 * buffer, so the embedding table (vocab × dim float32, the largest tensor of every supported shape; the
 * tied LM head is the same tensor) must not exceed `maxStorageBufferBindingSize` nor `maxBufferSize`.
 * @returns null when it fits, else the reason (naming the tensor, its bytes and the limit)
 */
export function webgpuModelFit(limits: Pick<WebGpuAdapterReport['limits'], 'maxBufferSize' | 'maxStorageBufferBindingSize'>, config: LlamaConfig): string | null {
  const tensors: [string, number][] = [
    ['embedding', config.vocabSize * config.dim],
    ['mlp weight', config.dim * config.hiddenDim],
    ['attention weight', config.dim * config.nHeads * config.headDim],
  ];
  const bound = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const [name, count] of tensors) {
    const bytes = count * BYTES_PER_PARAMETER;
    if (bytes > bound) return `the ${name} (${bytes} bytes) exceeds the adapter's largest storage buffer (${bound} bytes)`;
  }
  return null;
}

/** Folders where Linux distributions install the Vulkan loader. */
const VULKAN_LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib'];

/**
 * Dawn's `GPU` from the `webgpu` package, with the WebGPU constants installed as globals. On Linux without a
 * Vulkan loader, Dawn is not loaded at all (it would print a warning with a C++ stack line to stderr).
 * @throws WebGpuUnavailable when Linux has no libvulkan.so.1
 */
export async function dawnGpu(): Promise<GpuLike> {
  if (process.platform === 'linux' && !VULKAN_LOADER_DIRS.some((d) => existsSync(join(d, 'libvulkan.so.1')))) {
    throw new WebGpuUnavailable('no Vulkan loader (libvulkan.so.1) on this machine');
  }
  const dawn = (await import('webgpu')) as { create(options: string[]): unknown; globals: object };
  Object.assign(globalThis, dawn.globals);
  return dawn.create([]) as GpuLike;
}

let installed: GpuLike | null = null;
let factoryError = '';

/**
 * The backend factory: a device on a fresh high-performance adapter of `gpu`, with the adapter's own values of
 * REPORTED_LIMITS required (tfjs-backend-webgpu's own factory asks for the same limits; WebGPU devices get only
 * the defaults otherwise, e.g. 128 MiB per storage buffer), and no optional feature.
 */
function webgpuFactory(gpu: GpuLike, Backend: new (device: unknown, adapterInfo: unknown) => tf.KernelBackend) {
  return async (): Promise<tf.KernelBackend> => {
    try {
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter?.requestDevice) throw new Error('the adapter gives no device');
      const requiredLimits: Partial<Record<ReportedLimit, number>> = {};
      for (const key of REPORTED_LIMITS) requiredLimits[key] = adapter.limits[key];
      const device = await adapter.requestDevice({ requiredLimits });
      return new Backend(device, adapter.info);
    } catch (e) {
      factoryError = e instanceof Error ? e.message : String(e);
      throw e;
    }
  };
}

/**
 * Makes `gpu` the `navigator.gpu` tfjs-backend-webgpu uses, registers the `webgpu` backend with our factory
 * (webgpuFactory) and the single-kernel RMSNorm and RoPE (webgpu-kernels.ts), and returns once
 * `tf.setBackend('webgpu')` succeeded. The package is imported before
 * `navigator.gpu` exists, so its own import-time registration (which would ask for a second adapter and passes
 * an array as a feature name) does not happen.
 * @throws WebGpuUnavailable when the backend does not initialise (with the reason)
 */
export async function installWebGpuBackend(gpu: GpuLike): Promise<void> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  (await import('./webgpu-kernels.ts')).useWebGpuInferenceKernels(process.env.TRIMLLM_WEBGPU_FAST_KERNELS !== '0');
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  installed = gpu;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', webgpuFactory(gpu, WebGPUBackend as unknown as new (d: unknown, a: unknown) => tf.KernelBackend));
  factoryError = '';
  if (!(await tf.setBackend('webgpu'))) {
    throw new WebGpuUnavailable(`tfjs-backend-webgpu failed to initialise${factoryError ? `: ${factoryError}` : ''}`);
  }
}

/**
 * Removes the webgpu backend and Dawn's `navigator.gpu` so the process can exit (Dawn keeps it alive while
 * they are referenced). A no-op when webgpu was never installed. Call when the work is done.
 */
export function releaseWebGpu(): void {
  if (!installed) return;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav?.gpu === installed) delete nav.gpu;
  installed = null;
}
