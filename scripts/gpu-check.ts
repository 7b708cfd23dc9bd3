/**
 * The bench half of scripts/gpu-check.sh: on the webgpu backend, the adapter report of `trimllm doctor`
 * (the CLI itself needs better-sqlite3-multiple-ciphers, which the bundle leaves out), then the bench rows
 * (engine/bench/measure.ts measureShape: prefill/decode tokens/s, training tokens/s, scan seconds) of the
 * stories110M, SmolLM2-135M and SmolLM2-360M shapes (random weights), full vs 50% kept, each set against the
 * GPU's roofline:
 *
 * - decode ceiling, tokens/s = memory bandwidth / bytes read per decoded token (engine/bench/ceiling.ts
 *   decodeBytesPerToken), for the datasheet bandwidth and for the bandwidth measured here (a batch of
 *   matrix-vector products of a 256 MiB float32 matrix on the backend, one read-back at the end);
 * - training ceiling, tokens/s = peak FP32 FLOP/s / FLOPs per training token, with FLOPs per training token
 *   = 3 × forward FLOPs per token (forward 2N, backward 4N: Kaplan et al. 2020, §2.1, C ≈ 6N) at the mean
 *   position of the training sequence (engine/model/params.ts flopsPerToken).
 *
 * Then, for the first shape, decode tokens/s of the full model with the single-kernel RMSNorm/RoPE of webgpu-kernels.ts
 * against the 6-kernel compositions (interleaved runs), the measured reason to keep them.
 *
 * The datasheet figures are options (defaults: NVIDIA H200 SXM, 4.8 TB/s HBM3e and 67 TFLOP/s FP32).
 * Usage (through tsx, or bundled by gpu-check.sh):
 *   gpu-check.ts [--out FILE.json] [--shapes a,b] [--runs N] [--new-tokens N] [--bandwidth B/s] [--peak-flops F/s]
 * (defaults: the three shapes, 3 runs, 64 decoded tokens after a 128-token prompt: sized for a 7-minute device call)
 * Prints progress on stderr, the tables on stdout, and writes {doctor, adapter, bandwidth, rows} to --out.
 * Exit code 0, or 1 with the error (e.g. no adapter) on stderr.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { assertModelFitsBackend, releaseBackend, selectBackend } from '../engine/backend/select.ts';
import { applyLimits, findShapes } from '../engine/bench/shapes.ts';
import { BENCH_WEIGHT_SEED, randomModel } from '../engine/bench/random-weights.ts';
import { DEFAULT_BENCH_SETTINGS, measureShape, withCeiling, type BenchRow, type BenchSettings } from '../engine/bench/measure.ts';
import { formatBenchTables } from '../engine/bench/suite.ts';
import { benchKeepMask } from '../engine/bench/keep-masks.ts';
import { flopsPerToken } from '../engine/model/params.ts';
import { formatWebGpuReport } from '../engine/backend/webgpu.ts';
import { useWebGpuInferenceKernels } from '../engine/backend/webgpu-kernels.ts';
import { benchmarkThroughput, median } from '../engine/eval/throughput.ts';
import type { LlamaModel } from '../engine/model/llama.ts';

/** NVIDIA H200 SXM datasheet: HBM3e bandwidth (bytes/s) and peak FP32 (FLOP/s, no tensor cores). */
const H200_BANDWIDTH = 4.8e12;
const H200_PEAK_FP32 = 67e12;
const MATVEC_N = 8192; // 8192 × 8192 float32 = 256 MiB, well past the 60 MB L2
const MATVEC_BATCH = 20;

/** One bench row with the GPU roofline beside it. */
interface GpuRow extends BenchRow {
  /** Datasheet bandwidth / bytes per decoded token, tokens/s. */
  datasheetDecodeCeiling: number;
  /** decodeTokensPerSecond / datasheetDecodeCeiling. */
  decodeOfCeiling: number;
  /** FLOPs per training token (3 × forward at the mean position). */
  trainFlopsPerToken: number;
  /** Peak FP32 / trainFlopsPerToken, tokens/s. */
  trainCeiling: number;
  /** trainTokensPerSecond / trainCeiling. */
  trainOfCeiling: number;
}

/**
 * Bytes/s of a batch of [1, n] × [n, n] float32 products on the active backend: the products are queued, then
 * the last one is read back (a WebGPU queue runs its work in order, so the read waits for all of them).
 * Not `tf.addN` of the products: tfjs-backend-webgpu 4.22 binds every AddN input as its own storage buffer, and
 * 20 inputs exceed the 16 storage buffers per shader stage of the H200 adapter (an invalid pipeline, seen on the
 * first GPU run, whose bandwidth figure is therefore void).
 */
async function deviceBandwidth(): Promise<number> {
  const w = tf.randomUniform([MATVEC_N, MATVEC_N], -1, 1, 'float32', 1) as tf.Tensor2D;
  const x = tf.randomUniform([1, MATVEC_N], -1, 1, 'float32', 2) as tf.Tensor2D;
  try {
    await w.data(); // uploaded before the timing
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      const ys = Array.from({ length: MATVEC_BATCH }, () => tf.matMul(x, w));
      await ys[ys.length - 1]!.data();
      tf.dispose(ys);
      best = Math.min(best, (performance.now() - start) / 1000);
    }
    return (MATVEC_BATCH * MATVEC_N * MATVEC_N * 4) / best;
  } finally {
    tf.dispose([w, x]);
  }
}

function withGpuRoofline(row: BenchRow, bandwidth: number, peakFlops: number, config: Parameters<typeof flopsPerToken>[0]): GpuRow {
  const keep = benchKeepMask(config.nLayers, row.targetKeptFraction);
  const trainFlopsPerToken = 3 * flopsPerToken(config, keep, (row.trainSeq + 1) / 2);
  const datasheetDecodeCeiling = bandwidth / row.decodeBytesPerToken;
  const trainCeiling = peakFlops / trainFlopsPerToken;
  return {
    ...row,
    datasheetDecodeCeiling,
    decodeOfCeiling: row.decodeTokensPerSecond / datasheetDecodeCeiling,
    trainFlopsPerToken,
    trainCeiling,
    trainOfCeiling: row.trainTokensPerSecond / trainCeiling,
  };
}

/**
 * Decode tokens/s of the full model with the single-kernel RMSNorm/RoPE (webgpu-kernels.ts) and with the
 * 6-kernel compositions, interleaved (`rounds` runs each, after one warm-up of each), medians.
 */
async function fastKernelsAb(model: LlamaModel, settings: BenchSettings, rounds: number): Promise<{ fused: number; composed: number }> {
  const rates: Record<'fused' | 'composed', number[]> = { fused: [], composed: [] };
  const options = { promptTokens: settings.promptTokens, newTokens: settings.newTokens, runs: 1, warmup: 0 };
  for (let r = -1; r < rounds; r++) {
    for (const variant of ['fused', 'composed'] as const) {
      useWebGpuInferenceKernels(variant === 'fused');
      const result = await benchmarkThroughput(model, options);
      if (r >= 0) rates[variant].push(result.decodeTokensPerSecond);
    }
  }
  useWebGpuInferenceKernels(true);
  return { fused: median(rates.fused), composed: median(rates.composed) };
}

function rooflineTable(rows: readonly GpuRow[]): string {
  const head = ['shape', 'kept', 'decode tok/s', 'datasheet ceiling', 'of ceiling', 'measured ×', 'ideal ×', 'train tok/s', 'train ceiling', 'of ceiling'];
  const body = rows.map((r) => [
    r.shape, `${r.keptSubLayers}/${r.totalSubLayers}`, r.decodeTokensPerSecond.toFixed(1), r.datasheetDecodeCeiling.toFixed(0),
    r.decodeOfCeiling.toFixed(4), r.measuredSpeedup.toFixed(2), r.idealSpeedup.toFixed(2), r.trainTokensPerSecond.toFixed(1),
    r.trainCeiling.toFixed(0), r.trainOfCeiling.toFixed(5),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cells) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' }, shapes: { type: 'string', default: 'SmolLM2-135M,SmolLM2-360M,stories110M' },
      runs: { type: 'string', default: '3' }, 'new-tokens': { type: 'string', default: '64' }, bandwidth: { type: 'string', default: String(H200_BANDWIDTH) },
      'peak-flops': { type: 'string', default: String(H200_PEAK_FP32) },
    },
  });
  const start = performance.now();
  const progress = (m: string) => process.stderr.write(`[${((performance.now() - start) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
  const report = await selectBackend('webgpu');
  progress(`webgpu adapter: ${report.webgpu!.adapter}`);
  for (const line of formatWebGpuReport(report.webgpu!)) console.log(line); // as `trimllm doctor` prints it
  const measured = await deviceBandwidth();
  progress(`measured bandwidth ${(measured / 1e9).toFixed(0)} GB/s (${MATVEC_BATCH} products of [1, ${MATVEC_N}] × [${MATVEC_N}, ${MATVEC_N}] float32)`);
  const settings: BenchSettings = {
    ...DEFAULT_BENCH_SETTINGS, runs: Number(values.runs), newTokens: Number(values['new-tokens']), keptFractions: [1, 0.5],
  };
  const bandwidth = Number(values.bandwidth);
  const peakFlops = Number(values['peak-flops']);
  const rows: GpuRow[] = [];
  const kernelAb: Record<string, { fused: number; composed: number }> = {};
  for (const shape of findShapes(values.shapes.split(','))) {
    if (shape.weights.kind !== 'random') throw new Error(`${shape.name}: gpu-check measures random-weight shapes only`);
    const config = shape.weights.config;
    assertModelFitsBackend(config, shape.name);
    const model = randomModel(config, BENCH_WEIGHT_SEED);
    try {
      progress(`${shape.name}: model ready`);
      const shapeRows = await measureShape(model, shape.name, applyLimits(shape, settings), (m) => progress(`${shape.name}: ${m}`));
      for (const r of withCeiling(shapeRows, measured)) rows.push(withGpuRoofline(r, bandwidth, peakFlops, config));
      console.log(JSON.stringify(rows.slice(-shapeRows.length)));
      if (rows.length > shapeRows.length) continue; // the A/B below: first shape only (device time)
      kernelAb[shape.name] = await fastKernelsAb(model, settings, Number(values.runs));
      progress(`${shape.name}: decode tok/s single-kernel RMSNorm/RoPE ${kernelAb[shape.name]!.fused.toFixed(1)}, compositions ${kernelAb[shape.name]!.composed.toFixed(1)}`);
    } finally {
      model.dispose();
    }
  }
  console.log(`\n${formatBenchTables(rows)}\n\nroofline (datasheet ${bandwidth / 1e12} TB/s, ${peakFlops / 1e12} TFLOP/s FP32):\n${rooflineTable(rows)}`);
  console.log(`\ndecode tok/s, full model, single-kernel RMSNorm/RoPE vs 6-kernel compositions: ${JSON.stringify(kernelAb)}`);
  if (values.out) writeFileSync(values.out, JSON.stringify({ adapter: report.webgpu, measuredBandwidth: measured, bandwidth, peakFlops, settings, kernelAb, rows }, null, 2));
  progress('done');
}

main().then(
  () => {
    releaseBackend();
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`gpu-check: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  },
);
