/** `trimllm doctor`: which backend runs, on what, and why a faster one was not used. */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { selectBackend, parseBackendName, type SelectOptions } from '../../../engine/backend/select.ts';
import { formatWebGpuReport } from '../../../engine/backend/webgpu.ts';
import { resolveThreads, THREADS_ENV } from '../../../engine/parallel/threads.ts';
import { parse } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm doctor [--backend auto|tensorflow|webgpu|wasm|cpu] [--json]
  Prints the active TensorFlow.js backend, devices, versions and threads, and why faster backends were skipped.`;

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/**
 * Runs the command; returns the exit code.
 * @param options where WebGPU's `navigator.gpu` comes from (selectBackend; tests pass a fake adapter)
 */
export async function run(argv: string[], options: SelectOptions = {}): Promise<number> {
  const { values } = parse(argv, { backend: { type: 'string' }, json: { type: 'boolean', default: false } });
  const report = await selectBackend(values.backend ? parseBackendName(values.backend) : undefined, options);
  const info = {
    backend: report.backend,
    nativePackage: report.nativePackage,
    skipped: report.skipped,
    wasm: report.wasmFeatures,
    webgpu: report.webgpu,
    versions: {
      node: process.versions.node,
      tfjs: report.tfjsVersion,
      'tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
      'tfjs-backend-webgpu': packageVersion('@tensorflow/tfjs-backend-webgpu'),
      webgpu: packageVersion('webgpu'),
      'tfjs-node': packageVersion('@tensorflow/tfjs-node'),
      'tfjs-node-gpu': packageVersion('@tensorflow/tfjs-node-gpu'),
      'better-sqlite3-multiple-ciphers': packageVersion('better-sqlite3-multiple-ciphers'),
    },
    cpu: { model: cpus()[0]?.model ?? 'unknown', threads: availableParallelism() },
    /** Threads a run's scans and training steps use (TRIMLLM_THREADS, else the physical cores). */
    runThreads: resolveThreads(),
    memoryBytes: totalmem(),
    registeredBackends: Object.keys(tf.engine().registryFactory),
  };
  if (values.json) {
    console.log(JSON.stringify(info, null, 2));
    return 0;
  }
  // Names in an 18-column field, as formatWebGpuReport's lines; a longer name keeps one space before its value.
  const line = (name: string, text: string) => console.log(`${name.padEnd(17)} ${text}`);
  line('backend', `${info.backend}${info.nativePackage ? ` (${info.nativePackage})` : ''}`);
  if (info.wasm) line('wasm', `SIMD ${info.wasm.simd ? 'on' : 'off'}, multithreaded kernels ${info.wasm.threads ? 'on' : 'off'}`);
  if (info.webgpu) for (const text of formatWebGpuReport(info.webgpu)) console.log(text);
  line('devices', `CPU: ${info.cpu.model}, ${info.cpu.threads} hardware threads, ${(info.memoryBytes / 2 ** 30).toFixed(1)} GiB`);
  line('threads', `${info.runThreads} (a run's scans and training steps; change with trim --threads N or ${THREADS_ENV})`);
  for (const [name, version] of Object.entries(info.versions)) line(name, version);
  for (const [name, why] of Object.entries(info.skipped)) line('not used', `${name}: ${why}`);
  return 0;
}
