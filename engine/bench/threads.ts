/**
 * `trimllm bench --threads 1,2` (also `node --import tsx engine/bench/threads.ts --shapes stories15M --threads 1,2`):
 * the same work on 1 and on N threads (engine/parallel: main thread + N − 1 workers), interleaved round by round
 * in one process so the load of a shared machine hits both alike. Per shape and thread count, one JSON row:
 *
 * - trainTokensPerSecond: Trainer.trainStep (lr 0, every sub-layer trainable) on `trainMicroBatches`
 *   micro-batches of `trainBatch` × `trainSeq` random ids (gradient accumulation); on N threads whole
 *   micro-batches go to each thread when their count divides evenly, else each micro-batch's rows are split
 *   (data-parallel.ts threadShares). Median over the rounds.
 * - scanSeconds: one calibration scan (activation norms and every candidate; prefix reuse), serial on 1 thread,
 *   its examples split across the threads on N (engine/parallel/scan.ts calibrationScan). Median over the rounds.
 * - decodeTokensPerSecond: batch-1 decode (eval/throughput.ts), 1-thread rows only: a single sequence's tokens
 *   depend on each other and a batch-1 step is ~600 small kernels, so it cannot be split across independent
 *   workers; splitting each kernel across threads (the threaded wasm build) gained 1.28× for the kernel
 *   synchronisation it costs (log 7 of README.md). null on N-thread rows.
 * - matMulFlopsPerSecond: the roofline: `matmulN`³ products on every thread at once (aggregate FLOP/s), and
 *   trainRooflineFraction / scanRooflineFraction: the FLOP/s the step or scan reached over it. Training FLOPs
 *   ≈ 3 × forward (backward = activation and weight gradients ≈ 2 × forward; an approximation: the frozen head
 *   has no weight gradient), forward = params.ts flopsPerToken; scan FLOPs = forward FLOPs of the sub-layer
 *   evaluations the model counted plus one head per candidate.
 * - load1: the 1-minute load average at the end of the shape, cpus: os.availableParallelism().
 */
import { parseArgs } from 'node:util';
import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, parseBackendName } from '../backend/select.ts';
import { benchmarkThroughput, median } from '../eval/throughput.ts';
import type { LlamaModel } from '../model/llama.ts';
import { flopsPerToken, parameterBreakdown } from '../model/params.ts';
import { fullKeepMask } from '../model/sublayers.ts';
import { makeBatch } from '../train/batch.ts';
import { Trainer } from '../train/trainer.ts';
import type { Evaluable } from '../trim/prepare.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import { WorkerPool } from '../parallel/pool.ts';
import { calibrationScan } from '../parallel/scan.ts';
import { matMulFlops, timeMatMul } from '../parallel/matmul.ts';
import { randomTokenExamples } from './measure.ts';
import { BENCH_WEIGHT_SEED, randomModel } from './random-weights.ts';
import { findShapes } from './shapes.ts';

/** Settings of a threads bench. */
export interface ThreadsBenchSettings {
  threads: number[];
  runs: number;
  trainBatch: number;
  trainSeq: number;
  /** Micro-batches of trainBatch × trainSeq per optimizer step (gradient accumulation). */
  trainMicroBatches: number;
  calibrationExamples: number;
  calibrationSeq: number;
  promptTokens: number;
  newTokens: number;
  matmulN: number;
  matmulReps: number;
}

/** One row: one shape on one thread count. */
export interface ThreadsBenchRow {
  shape: string;
  threads: number;
  trainTokensPerSecond: number;
  trainSeq: number;
  trainBatch: number;
  trainMicroBatches: number;
  scanSeconds: number;
  decodeTokensPerSecond: number | null;
  matMulFlopsPerSecond: number;
  trainRooflineFraction: number;
  scanRooflineFraction: number;
  peakRssBytes: number;
  load1: number;
  cpus: number;
  runs: number;
}

const NO_TOKENIZER: Tokenizer = {
  vocabSize: 0, bosId: null, eosIds: [],
  encode: () => {
    throw new Error('token-id calibration set: no tokenizer');
  },
  decode: () => '',
  applyChatTemplate: () => null,
};

/** Aggregate FLOP/s of one [n, n] product series on every thread of the pool plus the main thread at once. */
async function roofline(pool: WorkerPool | null, s: ThreadsBenchSettings): Promise<number> {
  const workers = pool ? Array.from({ length: pool.size }, (_, i) => pool.request<number>(i, { type: 'matmul', n: s.matmulN, reps: s.matmulReps })) : [];
  const main = await timeMatMul(s.matmulN, s.matmulReps);
  const seconds = [main, ...(await Promise.all(workers))];
  return seconds.reduce((a, t) => a + (matMulFlops(s.matmulN) * s.matmulReps) / t, 0);
}

/** Seconds and sub-layer evaluations of one scan, on the pool when given. */
async function timedScan(model: LlamaModel, pool: WorkerPool | null, calibration: Evaluable) {
  const keep = fullKeepMask(model.config.nLayers);
  const evaluations = model.subLayerEvaluations;
  const start = performance.now();
  await calibrationScan(model, NO_TOKENIZER, keep, calibration, pool);
  return { seconds: (performance.now() - start) / 1000, mainEvaluations: model.subLayerEvaluations - evaluations };
}

/** FLOPs of a scan of the full model: every candidate's suffix evaluations (prefix reuse) plus its head. */
export function scanFlops(model: LlamaModel, tokens: number): number {
  const { config } = model;
  const keep = fullKeepMask(config.nLayers);
  const sub = parameterBreakdown(config).subLayers.map((x) => 2 * x.parameters);
  const head = flopsPerToken(config, keep.map(() => false), 0);
  const n = keep.length;
  // norms pass: every sub-layer once; prefix walk: sub-layers 0..n−2 once; candidate i: sub-layers i+1..n−1
  let perToken = sub.reduce((a, b) => a + b, 0) + head + sub.slice(0, n - 1).reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) perToken += sub.slice(i + 1).reduce((a, b) => a + b, 0) + head;
  return perToken * tokens;
}

/** Measures one shape on every thread count, interleaved. */
export async function measureThreads(model: LlamaModel, shape: string, s: ThreadsBenchSettings, log: (m: string) => void): Promise<ThreadsBenchRow[]> {
  const { config } = model;
  const maxThreads = Math.max(...s.threads);
  const pool = maxThreads > 1 ? await WorkerPool.start(model, maxThreads) : null;
  try {
    const poolFor = (t: number) => (t > 1 ? pool : null);
    if (pool && pool.size + 1 !== maxThreads) throw new Error('pool size mismatch');
    const step = Array.from({ length: s.trainMicroBatches }, (_, k) => makeBatch(randomTokenExamples(s.trainBatch, s.trainSeq, config.vocabSize, 3 + k)));
    const calibration: Evaluable = { kind: 'tokens', examples: randomTokenExamples(s.calibrationExamples, s.calibrationSeq, config.vocabSize, 2) };
    const train = new Map(s.threads.map((t) => [t, [] as number[]]));
    const scan = new Map(s.threads.map((t) => [t, [] as number[]]));
    const flops = new Map(s.threads.map((t) => [t, [] as number[]]));
    const decode: number[] = [];
    const trainers = new Map(s.threads.map((t) => [t, new Trainer(model, poolFor(t) ? { pool: poolFor(t)! } : {})]));
    try {
      for (const t of s.threads) await trainers.get(t)!.trainStep(step, 0); // warm-up
      for (let round = 0; round < s.runs; round++) {
        for (const t of s.threads) {
          const r = await trainers.get(t)!.trainStep(step, 0);
          train.get(t)!.push(r.realTokens / r.seconds);
          scan.get(t)!.push((await timedScan(model, poolFor(t), calibration)).seconds);
          flops.get(t)!.push(await roofline(poolFor(t), s));
          log(`${shape} round ${round + 1}/${s.runs} threads ${t}: train ${train.get(t)!.at(-1)!.toFixed(1)} tok/s, scan ${scan.get(t)!.at(-1)!.toFixed(2)} s, ${(flops.get(t)!.at(-1)! / 1e9).toFixed(1)} GFLOP/s, load ${loadavg()[0]!.toFixed(1)}`);
        }
        decode.push((await benchmarkThroughput(model, { promptTokens: s.promptTokens, newTokens: s.newTokens, runs: 1, warmup: round === 0 ? 1 : 0 })).decodeTokensPerSecond);
      }
    } finally {
      for (const tr of trainers.values()) tr.dispose();
    }
    const trainFlopsPerToken = 3 * flopsPerToken(config, fullKeepMask(config.nLayers), s.trainSeq);
    const scanWork = scanFlops(model, s.calibrationExamples * s.calibrationSeq);
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    return s.threads.map((t) => {
      const roof = median(flops.get(t)!);
      const tps = median(train.get(t)!);
      const sec = median(scan.get(t)!);
      return {
        shape, threads: t, trainTokensPerSecond: tps, trainSeq: s.trainSeq, trainBatch: s.trainBatch, trainMicroBatches: s.trainMicroBatches, scanSeconds: sec,
        decodeTokensPerSecond: t === 1 ? median(decode) : null, matMulFlopsPerSecond: roof,
        trainRooflineFraction: (tps * trainFlopsPerToken) / roof, scanRooflineFraction: scanWork / sec / roof,
        peakRssBytes, load1: loadavg()[0]!, cpus: availableParallelism(), runs: s.runs,
      };
    });
  } finally {
    await pool?.dispose();
  }
}

/**
 * Default settings of a threads bench (`--threads` and `--runs` override the first two). Training: a step of
 * 1,024 tokens, the trim form's default step (8 records of a 128-token window), as 8 micro-batches of 2 rows ×
 * 64 tokens, so that 2 threads have a row each and one micro-batch fits the 4 GiB wasm heap on the stories110M
 * shape with every sub-layer trainable (2 × 128 overflows it: measured, aborted). The optimizer's cost is per
 * step, so a step of this size weighs it as a real run does (a 128-token step made it ~1/6 of the step).
 */
export const DEFAULT_THREADS_SETTINGS: ThreadsBenchSettings = {
  threads: [1, 2], runs: 3, trainBatch: 2, trainSeq: 64, trainMicroBatches: 8, calibrationExamples: 4, calibrationSeq: 32,
  promptTokens: 32, newTokens: 64, matmulN: 1024, matmulReps: 8,
};

/**
 * Measures the named random-weight shapes one after the other in this process; `log` gets progress and, per
 * shape, the N-thread / 1-thread ratios with the load average.
 * @throws Error on an unknown shape or a shape with file weights
 */
export async function runThreadsBench(shapes: readonly string[], s: ThreadsBenchSettings, log: (m: string) => void): Promise<ThreadsBenchRow[]> {
  const all: ThreadsBenchRow[] = [];
  for (const shape of findShapes(shapes)) {
    if (shape.weights.kind !== 'random') throw new Error(`${shape.name}: the threads bench takes random-weight shapes`);
    const model = randomModel(shape.weights.config, BENCH_WEIGHT_SEED);
    try {
      const rows = await measureThreads(model, shape.name, s, log);
      all.push(...rows);
      const [one, many] = [rows[0]!, rows.at(-1)!];
      log(`${shape.name}: ${many.threads} vs ${one.threads} threads: training ${(many.trainTokensPerSecond / one.trainTokensPerSecond).toFixed(2)}×, ` +
        `scan ${(one.scanSeconds / many.scanSeconds).toFixed(2)}×, matMul roofline ${(many.matMulFlopsPerSecond / one.matMulFlopsPerSecond).toFixed(2)}×, load ${many.load1.toFixed(1)}`);
    } finally {
      model.dispose();
    }
  }
  return all;
}

/** Parses the CLI and prints one JSON row per line. */
async function main(): Promise<void> {
  const d = DEFAULT_THREADS_SETTINGS;
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      shapes: { type: 'string', default: 'stories15M' }, threads: { type: 'string', default: d.threads.join(',') },
      runs: { type: 'string', default: String(d.runs) }, 'train-batch': { type: 'string', default: String(d.trainBatch) },
      'train-seq': { type: 'string', default: String(d.trainSeq) }, 'train-micro-batches': { type: 'string', default: String(d.trainMicroBatches) },
      'calibration-examples': { type: 'string', default: String(d.calibrationExamples) },
      'calibration-seq': { type: 'string', default: String(d.calibrationSeq) }, backend: { type: 'string', default: 'wasm' },
    },
    strict: true,
  });
  await selectBackend(parseBackendName(values.backend));
  const s: ThreadsBenchSettings = {
    ...d, threads: values.threads.split(',').map(Number), runs: Number(values.runs), trainBatch: Number(values['train-batch']),
    trainSeq: Number(values['train-seq']), trainMicroBatches: Number(values['train-micro-batches']), calibrationExamples: Number(values['calibration-examples']), calibrationSeq: Number(values['calibration-seq']),
  };
  const rows = await runThreadsBench(values.shapes.split(','), s, (m) => process.stderr.write(`${m}\n`));
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  tf.disposeVariables();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((e: unknown) => {
    process.stderr.write(`threads bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
