/**
 * Run-time choice of the TensorFlow.js backend: tensorflow (tfjs-node-gpu, then tfjs-node) → webgpu (Dawn's
 * Node binding, webgpu.ts) → wasm → cpu.
 * On wasm, the faster Slice and BatchMatMul kernels of wasm-kernels.ts replace the backend's own
 * (`TRIMLLM_WASM_FAST_KERNELS=0` keeps the originals, e.g. to measure the difference).
 *
 * The native bindings are optional dependencies: their install downloads libtensorflow, which fails on machines
 * without access to its host, so `npm ci` still succeeds and we fall back to wasm. The choice can be forced with
 * `--backend` (CLI) or the `TRIMLLM_BACKEND` environment variable; the reason each faster backend was not used is
 * recorded for `trimllm doctor`.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { registerMissingWasmKernels, useFastWasmKernels } from './wasm-kernels.ts';
import { registerInferenceKernels } from './inference-kernels.ts';
import { dawnGpu, installWebGpuBackend, probeWebGpu, releaseWebGpu, webgpuModelFit, type GpuLike, type WebGpuAdapterReport } from './webgpu.ts';
import type { LlamaConfig } from '../model/config.ts';

/** Backends we know, fastest first. */
export const BACKEND_ORDER = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
/** A backend name accepted by selectBackend. */
export type BackendName = (typeof BACKEND_ORDER)[number];

/** What selectBackend did. */
export interface BackendReport {
  /** The active backend. */
  backend: BackendName;
  /** For tensorflow: which package provided it (`@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`). */
  nativePackage: string | null;
  /** Why each faster backend was skipped, e.g. `{tensorflow: "optional dependency not installed"}`. */
  skipped: Partial<Record<BackendName | 'tensorflow-gpu', string>>;
  /** @tensorflow/tfjs version. */
  tfjsVersion: string;
  /** Whether the wasm backend uses SIMD / threads (null when wasm is not active). */
  wasmFeatures: { simd: boolean; threads: boolean } | null;
  /** For webgpu: the adapter, its limits and features (null on other backends). */
  webgpu: WebGpuAdapterReport | null;
}

/** Options of selectBackend. */
export interface SelectOptions {
  /** Where `navigator.gpu` comes from (default: Dawn's binding, webgpu.ts dawnGpu); tests pass a fake. */
  gpu?: () => Promise<GpuLike>;
}

const require = createRequire(import.meta.url);
let current: BackendReport | null = null;

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  if (/Cannot find module/.test(text)) return 'optional dependency not installed';
  return text.split('\n')[0]!.slice(0, 200);
}

/** Tries the native TensorFlow bindings (GPU first). Returns the package that loaded, or null. */
function tryNative(skipped: BackendReport['skipped']): string | null {
  for (const [pkg, key] of [
    ['@tensorflow/tfjs-node-gpu', 'tensorflow-gpu'],
    ['@tensorflow/tfjs-node', 'tensorflow'],
  ] as const) {
    try {
      require(pkg);
      return pkg;
    } catch (e) {
      skipped[key] = `${pkg}: ${errorText(e)}`;
    }
  }
  return null;
}

/**
 * Imports the wasm backend and registers the kernels it lacks. Its Emscripten loader installs process-wide
 * `uncaughtException`/`unhandledRejection` handlers that rethrow (printing its whole minified source with every
 * error); we remove exactly the handlers it added, so errors surface as ours.
 */
async function loadWasmBackend(): Promise<void> {
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const listeners = (e: (typeof events)[number]) => process.listeners(e as 'uncaughtException') as unknown[];
  const before = events.map((e) => new Set(listeners(e)));
  await import('@tensorflow/tfjs-backend-wasm');
  registerMissingWasmKernels();
  registerInferenceKernels();
  useFastWasmKernels(process.env.TRIMLLM_WASM_FAST_KERNELS !== '0');
  await tf.setBackend('wasm'); // instantiates the module, which is when the handlers are added
  events.forEach((e, i) => {
    for (const l of listeners(e)) {
      if (!before[i]!.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
    }
  });
}

/**
 * Finds a WebGPU adapter and activates tfjs-backend-webgpu on it.
 * @returns the adapter report, or null after recording in `skipped.webgpu` why the backend cannot be used
 */
async function tryWebGpu(gpuSource: () => Promise<GpuLike>, skipped: BackendReport['skipped']): Promise<WebGpuAdapterReport | null> {
  try {
    const gpu = await gpuSource();
    const report = await probeWebGpu(gpu);
    await installWebGpuBackend(gpu);
    return report;
  } catch (e) {
    releaseWebGpu();
    skipped.webgpu = errorText(e);
    return null;
  }
}

/**
 * Parses a backend name from a flag or environment variable.
 * @throws Error listing the allowed names when the value is not one of them.
 */
export function parseBackendName(value: string): BackendName | 'auto' {
  if (value === 'auto' || (BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName | 'auto';
  throw new Error(`unknown backend "${value}": use one of auto, ${BACKEND_ORDER.join(', ')}`);
}

/**
 * Activates the fastest available backend, or the one asked for. Idempotent: a second call with the same
 * request returns the first report.
 * @param requested 'auto' (default: `TRIMLLM_BACKEND` or the fastest available) or a backend name
 * @param options where WebGPU's `navigator.gpu` comes from (tests)
 * @throws Error when an explicitly requested backend cannot be initialised (with the reason)
 */
export async function selectBackend(requested?: BackendName | 'auto', options: SelectOptions = {}): Promise<BackendReport> {
  const want = requested ?? parseBackendName(process.env.TRIMLLM_BACKEND ?? 'auto');
  if (current && (want === 'auto' || want === current.backend)) return current;
  const skipped: BackendReport['skipped'] = {};
  const candidates = want === 'auto' ? BACKEND_ORDER : [want];
  let nativePackage: string | null = null;
  let webgpu: WebGpuAdapterReport | null = null;
  for (const name of candidates) {
    if (name === 'tensorflow') {
      nativePackage = tryNative(skipped);
      if (!nativePackage) {
        skipped.tensorflow = skipped.tensorflow ?? 'native bindings unavailable';
        continue;
      }
    }
    if (name === 'webgpu') {
      webgpu = await tryWebGpu(options.gpu ?? dawnGpu, skipped);
      if (!webgpu) continue;
    }
    if (name === 'wasm') await loadWasmBackend();
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      skipped[name] = errorText(e);
    }
    if (!ok) {
      skipped[name] = skipped[name] ?? 'failed to initialise';
      continue;
    }
    await tf.ready();
    const flags = tf.env().features;
    current = {
      backend: name,
      nativePackage: name === 'tensorflow' ? nativePackage : null,
      skipped,
      tfjsVersion: tf.version.tfjs,
      wasmFeatures:
        name === 'wasm'
          ? { simd: Boolean(flags.WASM_HAS_SIMD_SUPPORT), threads: Boolean(flags.WASM_HAS_MULTITHREAD_SUPPORT) }
          : null,
      webgpu: name === 'webgpu' ? webgpu : null,
    };
    return current;
  }
  throw new Error(
    `no usable TensorFlow.js backend (${want}): ` +
      Object.entries(skipped)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; '),
  );
}

/**
 * Checks that a model fits the active backend; only webgpu has a per-tensor bound (webgpu.ts webgpuModelFit).
 * @param source the model's file or shape name, for the message
 * @throws Error naming the source, the tensor, its bytes and the adapter's limit when it does not fit
 */
export function assertModelFitsBackend(config: LlamaConfig, source: string): void {
  const reason = current?.webgpu && current.backend === tf.getBackend() ? webgpuModelFit(current.webgpu.limits, config) : null;
  if (reason) throw new Error(`${source}: cannot run on webgpu: ${reason} (use --backend wasm)`);
}

/**
 * Lets the process exit after its work: releases the webgpu backend's device and Dawn's `navigator.gpu`, which
 * keep Node alive (webgpu.ts). Call once, when the process is done with the engine (tfjs-backend-webgpu
 * registers itself only when first imported, so a later selectBackend picks another backend). A no-op on other
 * backends.
 */
export function releaseBackend(): void {
  if (current?.backend !== 'webgpu') return;
  releaseWebGpu();
  current = null;
}
