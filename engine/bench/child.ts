/**
 * One shape of `trimllm bench`, in its own process so that its peak RSS (a process-wide high-water mark) is
 * the shape's alone. Spawned by suite.ts as
 *
 *   node --import tsx engine/bench/child.ts --shape NAME --settings JSON [--backend NAME]
 *
 * It builds or loads the model, measures every kept fraction (measure.ts), reads the peak RSS, then measures
 * the memory bandwidth (ceiling.ts; after the RSS reading, so its buffers do not count), and prints one JSON
 * row per line on stdout. Progress goes to stderr. Exit code 0 on success, 1 on failure (message on stderr).
 *
 * Peak RSS: `process.resourceUsage().maxRSS` (kilobytes, × 1024 → bytes) after the last row; every row of the
 * shape carries the same value because the engine keeps a trimmed model's dropped weights in memory (the keep
 * mask skips them; loaders zero-fill absent ones), so the full model's footprint is the shape's.
 */
import { parseArgs } from 'node:util';
import { selectBackend, parseBackendName, releaseBackend } from '../backend/select.ts';
import { loadModel } from '../io/load-model.ts';
import type { LlamaModel } from '../model/llama.ts';
import { applyLimits, findShapes } from './shapes.ts';
import { BENCH_WEIGHT_SEED, randomModel } from './random-weights.ts';
import { cpuSeconds, measureShape, withCeiling, type BenchSettings } from './measure.ts';
import { measureMemoryBandwidth } from './ceiling.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { shape: { type: 'string' }, settings: { type: 'string' }, backend: { type: 'string' } },
    strict: true,
  });
  if (!values.shape || !values.settings) throw new Error('usage: child.ts --shape NAME --settings JSON [--backend NAME]');
  await selectBackend(values.backend ? parseBackendName(values.backend) : undefined);
  const shape = findShapes([values.shape])[0]!;
  const settings = JSON.parse(values.settings) as BenchSettings;
  const start = performance.now();
  const progress = (m: string) => process.stderr.write(`[${((performance.now() - start) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
  let model: LlamaModel;
  if (shape.weights.kind === 'file') {
    model = (await loadModel(shape.weights.path)).model;
  } else {
    model = randomModel(shape.weights.config, BENCH_WEIGHT_SEED);
  }
  progress(`${shape.name}: model ready`);
  try {
    const rows = await measureShape(model, shape.name, applyLimits(shape, settings), progress);
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    const bandwidth = await measureMemoryBandwidth();
    progress(
      `${shape.name}: memory bandwidth ${(bandwidth.bytesPerSecond / 1e9).toFixed(1)} GB/s ` +
        `(copy ${(bandwidth.copyBytesPerSecond / 1e9).toFixed(1)}, matvec ${(bandwidth.matvecBytesPerSecond / 1e9).toFixed(1)})`,
    );
    progress(`${shape.name}: done, ${cpuSeconds().toFixed(0)} CPU s`);
    for (const row of withCeiling(rows, bandwidth.bytesPerSecond)) {
      process.stdout.write(`${JSON.stringify({ ...row, peakRssBytes })}\n`);
    }
  } finally {
    model.dispose();
  }
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`bench child: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(releaseBackend); // on webgpu, Dawn keeps the process alive until released
