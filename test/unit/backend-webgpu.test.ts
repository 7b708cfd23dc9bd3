// The webgpu backend choice without a GPU: probeWebGpu's verdicts on fake adapters (none, software, limits
// below WebGPU's defaults, a good one), webgpuModelFit on real shapes, selectBackend's order and `trimllm
// doctor`'s report when the adapter is missing or cannot give a device. No test here needs an adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  formatWebGpuReport, probeWebGpu, webgpuModelFit, WEBGPU_DEFAULT_LIMITS, type AdapterLike, type GpuLike,
} from '../../engine/backend/webgpu.ts';
import { selectBackend, releaseBackend } from '../../engine/backend/select.ts';
import { SMOLLM2_360M_SHAPE, shapeByName } from '../../engine/bench/shapes.ts';
import type { LlamaConfig } from '../../engine/model/config.ts';
import { run as doctor } from '../../electron/cli/commands/doctor.ts';

const H200_LIKE: AdapterLike = {
  info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', isFallbackAdapter: false },
  limits: { ...WEBGPU_DEFAULT_LIMITS, maxBufferSize: 2 ** 34, maxStorageBufferBindingSize: 2 ** 32 - 4 },
  features: new Set(['timestamp-query', 'shader-f16']),
};

function fakeGpu(adapter: AdapterLike | null): GpuLike {
  return { requestAdapter: () => Promise.resolve(adapter) };
}

function configOf(name: string): LlamaConfig {
  const shape = shapeByName(name)!;
  assert.equal(shape.weights.kind, 'random');
  return (shape.weights as { config: LlamaConfig }).config;
}

test('probeWebGpu: no adapter, software adapter and a limit below the default are refused with the reason', async () => {
  await assert.rejects(probeWebGpu(fakeGpu(null)), /^WebGpuUnavailable: no adapter/);
  const software = { ...H200_LIKE, info: { vendor: 'mesa', description: 'llvmpipe', isFallbackAdapter: true } };
  await assert.rejects(probeWebGpu(fakeGpu(software)), /software \(fallback\) adapter: mesa: llvmpipe/);
  const small = { ...H200_LIKE, limits: { ...H200_LIKE.limits, maxStorageBuffersPerShaderStage: 4 } };
  await assert.rejects(probeWebGpu(fakeGpu(small)), /limit maxStorageBuffersPerShaderStage = 4 is below WebGPU's default 8/);
  const missing = { ...H200_LIKE, limits: {} };
  await assert.rejects(probeWebGpu(fakeGpu(missing)), /limit maxBufferSize = 0/);
});

test('probeWebGpu: a good adapter is named and its limits and features reported', async () => {
  const r = await probeWebGpu(fakeGpu(H200_LIKE));
  assert.equal(r.adapter, 'nvidia hopper: NVIDIA H200');
  assert.equal(r.limits.maxStorageBufferBindingSize, 2 ** 32 - 4);
  assert.equal(r.limits.maxComputeWorkgroupStorageSize, 16384);
  assert.deepEqual(r.features, ['shader-f16', 'timestamp-query']);
  const lines = formatWebGpuReport(r);
  assert.equal(lines[0], 'webgpu adapter    nvidia hopper: NVIDIA H200');
  assert.match(lines[1]!, /^webgpu limits     maxBufferSize 17179869184, maxStorageBufferBindingSize 4294967292, /);
  assert.equal(lines[2], 'webgpu features   shader-f16, timestamp-query');
});

test('webgpuModelFit: the embedding table against the largest storage buffer', () => {
  const defaults = { maxBufferSize: WEBGPU_DEFAULT_LIMITS.maxBufferSize, maxStorageBufferBindingSize: WEBGPU_DEFAULT_LIMITS.maxStorageBufferBindingSize };
  // stories110M: 32000 × 768 × 4 = 98,304,000 bytes < 128 MiB.
  assert.equal(webgpuModelFit(defaults, configOf('stories110M')), null);
  // SmolLM2-360M: 49152 × 960 × 4 = 188,743,680 bytes > 128 MiB.
  const c360 = (SMOLLM2_360M_SHAPE.weights as { config: LlamaConfig }).config;
  assert.equal(
    webgpuModelFit(defaults, c360),
    "the embedding (188743680 bytes) exceeds the adapter's largest storage buffer (134217728 bytes)",
  );
  assert.equal(webgpuModelFit({ maxBufferSize: 2 ** 34, maxStorageBufferBindingSize: 2 ** 32 - 4 }, c360), null);
});

test('selectBackend: an explicit webgpu without adapter fails with the reason; auto falls through to wasm', async () => {
  await assert.rejects(
    selectBackend('webgpu', { gpu: () => Promise.resolve(fakeGpu(null)) }),
    /no usable TensorFlow.js backend \(webgpu\): webgpu: no adapter/,
  );
  const r = await selectBackend('auto', { gpu: () => Promise.resolve(fakeGpu(null)) });
  assert.equal(r.backend, 'wasm');
  assert.match(r.skipped.webgpu!, /^no adapter/);
  assert.equal(r.webgpu, null);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, undefined);
  releaseBackend(); // a no-op off webgpu
  assert.equal(tf.getBackend(), 'wasm');
});

test('doctor: prints why webgpu was not used; an adapter that gives no device fails an explicit --backend webgpu', async () => {
  const lines: string[] = [];
  const log = console.log;
  const warn = console.warn;
  console.log = (s: string) => lines.push(s);
  console.warn = () => {}; // tfjs warns when a backend's factory throws
  try {
    assert.equal(await doctor(['--json']), 0); // the auto choice of the test above
    const info = JSON.parse(lines.join('\n')) as { backend: string; skipped: Record<string, string>; webgpu: unknown; versions: Record<string, string> };
    assert.equal(info.backend, 'wasm');
    assert.match(info.skipped.webgpu!, /^no adapter/);
    assert.equal(info.webgpu, null);
    assert.equal(info.versions['tfjs-backend-webgpu'], '4.22.0');
    // The fake adapter passes the probe but has no requestDevice: tfjs-backend-webgpu's factory fails on it.
    await assert.rejects(
      doctor(['--backend', 'webgpu'], { gpu: () => Promise.resolve(fakeGpu(H200_LIKE)) }),
      /no usable TensorFlow.js backend \(webgpu\): webgpu: tfjs-backend-webgpu failed to initialise: the adapter gives no device/,
    );
    assert.equal((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, undefined);
  } finally {
    console.log = log;
    console.warn = warn;
  }
});
