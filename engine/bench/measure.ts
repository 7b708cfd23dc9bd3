/**
 * Measures one model at the bench keep masks (keep-masks.ts) and returns one row per kept fraction:
 *
 * - prefill and decode tokens/s (engine/eval/throughput.ts benchmarkThroughput: batch 1, KV cache, logits of
 *   the last position read back each step). Runs are interleaved across masks — round r measures the full
 *   model, then 75%, then 50% — so slow drift of the machine (thermal, other load) hits every mask alike; the
 *   first round of each mask is preceded by `warmup` untimed runs. Reported: the median over `runs` rounds and
 *   the spread (min–max).
 * - training tokens/s: engine/train Trainer.trainStep on one micro-batch of `trainBatch` × `trainSeq` random
 *   token ids (loss on every token), every kept sub-layer trainable (embedding, norm, head frozen: the engine's
 *   default), learning rate 0 so the weights stay bit-for-bit as loaded while doing all of AdamW's work;
 *   `warmup` untimed steps, then the median over `runs` steps of real tokens / step seconds.
 * - matvec-only ms per token (matvec.ts): the decode step's matrix-vector products alone, timed in the same
 *   rounds: after each throughput run of a mask, `newTokens` passes over its matrices (as many as the run
 *   decoded tokens, so both spans last about as long and meet the same load on a shared machine); per round
 *   the mean ms per pass, reported: the median over the rounds, like the decode rate. Beside the decode ms per
 *   token it bounds the overhead of everything else in a decode step.
 * - calibration scan seconds: one scan as the trim pipeline runs it (engine/trim/pipeline.ts `scan`): the
 *   activation Frobenius norms of the kept sub-layers (measure.ts activationNorms), then one evaluation of the
 *   calibration set per kept sub-layer with it dropped (importance.ts scanSubLayers with measure.ts
 *   performance = next-token accuracy), with prefix reuse (engine/model/prefix-reuse.ts) and, right after,
 *   the naive way (a full forward pass per candidate), with the sub-layer evaluations each ran (counted by
 *   the model). Calibration set: `calibrationExamples` random-id sequences of `calibrationSeq` tokens.
 *   Measured once each (a scan is 2L′ evaluations already), after one untimed evaluation and norm pass of the
 *   full model; wall seconds.
 * - ideal speed-up (FLOPs per token full / trimmed) and the parameter bytes (engine/model/params.ts), and the
 *   bytes read per decoded token for the matvec ceiling (ceiling.ts), filled in by the caller with the
 *   measured bandwidth.
 * - CPU time beside wall time: `process.cpuUsage()` (user + system, all threads of this process) around each
 *   throughput run (prefill + decode together: benchmarkThroughput times the phases by wall clock only), each
 *   training step and each scan. On a machine shared with other processes wall time also counts the time the
 *   scheduler gave to others, CPU time does not; so the CPU-time speed-up of a whole run is reported next to
 *   the ideal one of a whole run (ceiling.ts runFlops) as a cross-check of the wall-clock decode speed-up.
 *
 * Order: throughput first, then the scans, then training (lr 0 leaves the weights unchanged anyway). Every
 * tensor created here is disposed before returning (the caller's model excepted).
 * (Over 400 lines: the interleaved rounds share one state across masks and measurements; split, they would
 * pass it around.)
 */
import * as tf from '@tensorflow/tfjs';
import { benchmarkThroughput, median, type Spread } from '../eval/throughput.ts';
import type { LlamaModel } from '../model/llama.ts';
import { flopsPerToken, keptParameterBytes } from '../model/params.ts';
import { droppedNames, keptNames, type KeepMask } from '../model/sublayers.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import { Trainer } from '../train/trainer.ts';
import { makeBatch } from '../train/batch.ts';
import type { TrainingExample } from '../train/example.ts';
import { activationNorms, performance as taskPerformance } from '../trim/measure.ts';
import { scanSubLayers } from '../trim/importance.ts';
import { timeMatvecs } from './matvec.ts';
import type { Evaluable } from '../trim/prepare.ts';
import { createRng } from '../model/sampling.ts';
import { benchKeepMask, BENCH_KEPT_FRACTIONS } from './keep-masks.ts';
import { decodeBytesPerToken, idealSpeedup, runFlops } from './ceiling.ts';

/** What to measure and how long. */
export interface BenchSettings {
  /** Prompt length of the prefill, tokens. Default 128. */
  promptTokens: number;
  /** Decoded tokens per run (batch 1, KV cache). Default 128. */
  newTokens: number;
  /** Timed runs (rounds) per mask; the median and min–max are reported. Default 5. */
  runs: number;
  /** Untimed runs before the first timed one, per mask. Default 1. */
  warmup: number;
  /** Examples in the training micro-batch. Default 1. */
  trainBatch: number;
  /** Tokens per training example. Default 128 (shorter for the large shapes, see shapes.ts). */
  trainSeq: number;
  /** Random-id sequences in the calibration set of the scan. Default 8. */
  calibrationExamples: number;
  /** Tokens per calibration sequence. Default 32. */
  calibrationSeq: number;
  /** Fractions of sub-layers kept, measured in this order (the first must be 1: the full model). */
  keptFractions: readonly number[];
  /** Seed of the random token ids. */
  seed: number;
}

/** Defaults of a full run. */
export const DEFAULT_BENCH_SETTINGS: BenchSettings = {
  promptTokens: 128, newTokens: 128, runs: 5, warmup: 1, trainBatch: 1, trainSeq: 128,
  calibrationExamples: 8, calibrationSeq: 32, keptFractions: BENCH_KEPT_FRACTIONS, seed: 1,
};

/** Settings of a `--quick` (CI-sized) run. */
export const QUICK_BENCH_SETTINGS: BenchSettings = {
  ...DEFAULT_BENCH_SETTINGS, promptTokens: 32, newTokens: 32, trainSeq: 32, calibrationExamples: 4, calibrationSeq: 16,
};

/** One row of the bench: one shape at one kept fraction. */
export interface BenchRow {
  /** Shape name, e.g. `stories15M`. */
  shape: string;
  /** tfjs backend, e.g. `wasm`. */
  backend: string;
  /** Kept sub-layers / 2L of the mask actually measured (e.g. 0.8 for 75% of stories260K's 10). */
  keptFraction: number;
  /** The fraction asked for (1, 0.75, 0.5). */
  targetKeptFraction: number;
  keptSubLayers: number;
  totalSubLayers: number;
  /** Dropped sub-layers, e.g. `['attn3', 'mlp4']`. */
  dropped: string[];
  /** Parameter bytes of the kept sub-layers plus embedding, final norm and head (float32), bytes. */
  paramBytes: number;
  /** Median prefill throughput over the runs, prompt tokens/s. */
  prefillTokensPerSecond: number;
  prefillSpread: Spread;
  /** Median decode throughput over the runs, tokens/s (batch 1, KV cache). */
  decodeTokensPerSecond: number;
  decodeSpread: Spread;
  /** Matmul FLOPs per decoded token at the middle decode position (params.ts flopsPerToken). */
  flopsPerToken: number;
  /** FLOPs per token of the full model / of this mask (1 for the full row). */
  idealSpeedup: number;
  /** Median decode tokens/s of this mask / that of the full model (ratio of the medians). */
  measuredSpeedup: number;
  /** measuredSpeedup / idealSpeedup: 1 when trimming earns all its FLOPs back. */
  speedupEfficiency: number;
  /** Median prefill tokens/s of this mask / that of the full model. */
  measuredPrefillSpeedup: number;
  /** Median CPU seconds of one throughput run (prefill + decode; see the file docstring). */
  runCpuSeconds: number;
  /** Median run CPU seconds of the full model / of this mask. */
  cpuRunSpeedup: number;
  /** FLOPs of a whole run (prefill + decode), full / this mask (ceiling.ts runFlops). */
  idealRunSpeedup: number;
  /** cpuRunSpeedup / idealRunSpeedup. */
  cpuRunEfficiency: number;
  /** Bytes read per decoded token (ceiling.ts decodeBytesPerToken). */
  decodeBytesPerToken: number;
  /** Measured memory bandwidth / decodeBytesPerToken, tokens/s (0 until the caller fills it in). */
  matvecCeilingTokensPerSecond: number;
  /** Memory bandwidth the ceiling used, bytes/s (0 until filled in). */
  memoryBandwidthBytesPerSecond: number;
  /** Median training throughput, real tokens/s of one optimizer step (forward + backward + AdamW). */
  trainTokensPerSecond: number;
  trainSpread: Spread;
  /** Median seconds of one training step. */
  trainStepSeconds: number;
  /** Tokens per training example and examples per step. */
  trainSeq: number;
  trainBatch: number;
  /** Training speed-up over the full model (median tokens/s ratio). */
  measuredTrainSpeedup: number;
  /** Median CPU seconds of one training step. */
  trainStepCpuSeconds: number;
  /** Median step CPU seconds of the full model / of this mask. */
  cpuTrainSpeedup: number;
  /** Median decode milliseconds per token (1000 / decodeTokensPerSecond). */
  decodeMsPerToken: number;
  /** Median milliseconds of the decode step's matrix-vector products alone (matvec.ts). */
  matvecOnlyMsPerToken: number;
  /** decodeMsPerToken / matvecOnlyMsPerToken: 1 when a decode step is nothing but its products. */
  decodeOverMatvec: number;
  /** Wall seconds of one calibration scan (with prefix reuse, as the trim pipeline runs it). */
  scanSeconds: number;
  /** CPU seconds of that scan. */
  scanCpuSeconds: number;
  /** Sub-layer evaluations of that scan (norm pass included). */
  scanSubLayerEvaluations: number;
  /** Wall seconds of the same scan without prefix reuse (a full forward pass per candidate). */
  naiveScanSeconds: number;
  /** CPU seconds of the naive scan. */
  naiveScanCpuSeconds: number;
  /** Sub-layer evaluations of the naive scan. */
  naiveScanSubLayerEvaluations: number;
  /** naiveScanSeconds / scanSeconds. */
  scanReuseSpeedup: number;
  /** naiveScanCpuSeconds / scanCpuSeconds (the same ratio in CPU time, which other processes do not move). */
  scanReuseCpuSpeedup: number;
  /** Evaluations in the scan (one per kept sub-layer). */
  scanEvaluations: number;
  /** Calibration set of the scan: sequences × tokens. */
  calibrationExamples: number;
  calibrationSeq: number;
  /** Process peak RSS (resourceUsage().maxRSS), bytes; per shape (see child.ts); 0 until filled in. */
  peakRssBytes: number;
  /** Timed runs and the prefill/decode lengths. */
  runs: number;
  warmup: number;
  promptTokens: number;
  newTokens: number;
}

/**
 * A tokenizer placeholder: the bench's calibration set is token ids (`kind: 'tokens'`), for which
 * engine/trim/measure.ts never encodes text.
 */
const NO_TOKENIZER: Tokenizer = {
  vocabSize: 0,
  bosId: null,
  eosIds: [],
  encode: () => {
    throw new Error('the bench calibration set is token ids; no tokenizer is needed');
  },
  decode: () => '',
  applyChatTemplate: () => null,
};

/** `count` random-id examples of `length` tokens, loss on every token (seeded). */
export function randomTokenExamples(count: number, length: number, vocabSize: number, seed: number): TrainingExample[] {
  const random = createRng(seed);
  return Array.from({ length: count }, () => {
    const inputIds = Array.from({ length }, () => Math.floor(random() * vocabSize));
    return { inputIds, lossMask: inputIds.map(() => 1) };
  });
}

function spread(values: readonly number[]): Spread {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** Checks the settings against the model. @throws RangeError naming the bad setting */
export function validateSettings(s: BenchSettings, maxSeqLen: number): void {
  const positive: [string, number, number][] = [
    ['promptTokens', s.promptTokens, 1], ['newTokens', s.newTokens, 1], ['runs', s.runs, 1], ['warmup', s.warmup, 0],
    ['trainBatch', s.trainBatch, 1], ['trainSeq', s.trainSeq, 2], ['calibrationExamples', s.calibrationExamples, 1],
    ['calibrationSeq', s.calibrationSeq, 2],
  ];
  for (const [name, v, least] of positive) {
    if (!Number.isInteger(v) || v < least) throw new RangeError(`${name} must be an integer ≥ ${least}, got ${v}`);
  }
  if (s.keptFractions.length === 0 || s.keptFractions[0] !== 1) {
    throw new RangeError('keptFractions must start with 1 (the full model the speed-ups are relative to)');
  }
  if (s.promptTokens + s.newTokens > maxSeqLen) {
    throw new RangeError(`promptTokens + newTokens = ${s.promptTokens + s.newTokens} exceeds the context of ${maxSeqLen}`);
  }
  for (const [name, v] of [['trainSeq', s.trainSeq], ['calibrationSeq', s.calibrationSeq]] as const) {
    if (v > maxSeqLen) throw new RangeError(`${name} = ${v} exceeds the context of ${maxSeqLen}`);
  }
}

interface TrainingSamples {
  tokensPerSecond: number[];
  seconds: number[];
  cpuSeconds: number[];
}

/** CPU seconds (user + system, every thread) this process has used. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function trainingThroughput(model: LlamaModel, keep: KeepMask, examples: TrainingExample[], s: BenchSettings): Promise<TrainingSamples> {
  const previous = model.keepMask;
  model.keepMask = keep;
  const trainer = new Trainer(model);
  try {
    const batch = makeBatch(examples);
    const samples: TrainingSamples = { tokensPerSecond: [], seconds: [], cpuSeconds: [] };
    for (let i = 0; i < s.warmup + s.runs; i++) {
      const cpu = cpuSeconds();
      const r = await trainer.trainStep([batch], 0);
      if (i < s.warmup) continue;
      samples.cpuSeconds.push(cpuSeconds() - cpu);
      samples.tokensPerSecond.push(r.realTokens / r.seconds);
      samples.seconds.push(r.seconds);
    }
    return samples;
  } finally {
    trainer.dispose();
    model.keepMask = previous;
  }
}

interface ScanTiming {
  seconds: number;
  cpuSeconds: number;
  /** Sub-layers the model ran. */
  evaluations: number;
}

async function timedScan(model: LlamaModel, keep: KeepMask, calibration: Evaluable, reusePrefix: boolean): Promise<ScanTiming> {
  const start = performance.now();
  const cpu = cpuSeconds();
  const evaluations = model.subLayerEvaluations;
  const norms = await activationNorms(model, NO_TOKENIZER, calibration, keep);
  await scanSubLayers(model, keep, (k) => taskPerformance(model, NO_TOKENIZER, calibration, k), norms, { reusePrefix });
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSeconds() - cpu, evaluations: model.subLayerEvaluations - evaluations };
}

/** Progress messages (one line each). */
export type BenchProgress = (message: string) => void;

/**
 * Measures a model at every kept fraction of the settings (see the file docstring).
 * @param shape name written into the rows
 * @throws RangeError on bad settings (validateSettings)
 */
export async function measureShape(
  model: LlamaModel,
  shape: string,
  settings: BenchSettings,
  onProgress: BenchProgress = () => {},
): Promise<BenchRow[]> {
  const { config } = model;
  validateSettings(settings, config.maxSeqLen);
  const masks = settings.keptFractions.map((f) => benchKeepMask(config.nLayers, f));
  const full = masks[0]!;
  const positions = settings.promptTokens + Math.floor(settings.newTokens / 2);

  const prefill: number[][] = masks.map(() => []);
  const decode: number[][] = masks.map(() => []);
  const runCpu: number[][] = masks.map(() => []);
  const matvec: number[][] = masks.map(() => []);
  let backend = tf.getBackend();
  const lengths = { promptTokens: settings.promptTokens, newTokens: settings.newTokens };
  for (let round = 0; round < settings.runs; round++) {
    for (const [i, keep] of masks.entries()) {
      if (round === 0 && settings.warmup > 0) await benchmarkThroughput(model, { keep, ...lengths, runs: settings.warmup, warmup: 0 });
      const cpu = cpuSeconds();
      const r = await benchmarkThroughput(model, { keep, ...lengths, runs: 1, warmup: 0 });
      runCpu[i]!.push(cpuSeconds() - cpu);
      prefill[i]!.push(r.prefillTokensPerSecond);
      decode[i]!.push(r.decodeTokensPerSecond);
      backend = r.backend;
      const passes = await timeMatvecs(model, keep, settings.newTokens);
      matvec[i]!.push(passes.reduce((a, b) => a + b, 0) / passes.length);
    }
    onProgress(`${shape}: throughput round ${round + 1}/${settings.runs}`);
  }

  const calibration: Evaluable = {
    kind: 'tokens',
    examples: randomTokenExamples(settings.calibrationExamples, settings.calibrationSeq, config.vocabSize, settings.seed + 1),
  };
  // Warm-up: one evaluation and one norm pass with the full mask, so the first timed scan does not pay for
  // first-use costs (heap growth, new activation shapes) the others then skip.
  await activationNorms(model, NO_TOKENIZER, calibration, full);
  await taskPerformance(model, NO_TOKENIZER, calibration, full);
  const scans: ScanTiming[] = [];
  const naiveScans: ScanTiming[] = [];
  for (const [i, keep] of masks.entries()) {
    scans.push(await timedScan(model, keep, calibration, true));
    naiveScans.push(await timedScan(model, keep, calibration, false));
    onProgress(
      `${shape}: calibration scan ${i + 1}/${masks.length} (${keptNames(keep).length} candidates) ${scans[i]!.seconds.toFixed(1)} s ` +
        `with prefix reuse, ${naiveScans[i]!.seconds.toFixed(1)} s naive`,
    );
  }

  const trainExamples = randomTokenExamples(settings.trainBatch, settings.trainSeq, config.vocabSize, settings.seed + 2);
  const training: TrainingSamples[] = [];
  for (const [i, keep] of masks.entries()) {
    training.push(await trainingThroughput(model, keep, trainExamples, settings));
    onProgress(`${shape}: training steps ${i + 1}/${masks.length} (${median(training[i]!.seconds).toFixed(2)} s/step)`);
  }

  const med = (v: number[]) => median(v);
  const fullRunFlops = runFlops(config, full, settings.promptTokens, settings.newTokens);
  return masks.map((keep, i) => {
    const flops = flopsPerToken(config, keep, positions);
    const ideal = idealSpeedup(config, full, keep, positions);
    const measured = med(decode[i]!) / med(decode[0]!);
    const cpuRunSpeedup = med(runCpu[0]!) / med(runCpu[i]!);
    const idealRunSpeedup = fullRunFlops / runFlops(config, keep, settings.promptTokens, settings.newTokens);
    return {
      shape,
      backend,
      keptFraction: keptNames(keep).length / keep.length,
      targetKeptFraction: settings.keptFractions[i]!,
      keptSubLayers: keptNames(keep).length,
      totalSubLayers: keep.length,
      dropped: droppedNames(keep),
      paramBytes: keptParameterBytes(config, keep),
      prefillTokensPerSecond: med(prefill[i]!),
      prefillSpread: spread(prefill[i]!),
      decodeTokensPerSecond: med(decode[i]!),
      decodeSpread: spread(decode[i]!),
      flopsPerToken: flops,
      idealSpeedup: ideal,
      measuredSpeedup: measured,
      speedupEfficiency: measured / ideal,
      measuredPrefillSpeedup: med(prefill[i]!) / med(prefill[0]!),
      runCpuSeconds: med(runCpu[i]!),
      cpuRunSpeedup,
      idealRunSpeedup,
      cpuRunEfficiency: cpuRunSpeedup / idealRunSpeedup,
      decodeBytesPerToken: decodeBytesPerToken(config, keep, positions),
      matvecCeilingTokensPerSecond: 0,
      memoryBandwidthBytesPerSecond: 0,
      trainTokensPerSecond: med(training[i]!.tokensPerSecond),
      trainSpread: spread(training[i]!.tokensPerSecond),
      trainStepSeconds: med(training[i]!.seconds),
      trainSeq: settings.trainSeq,
      trainBatch: settings.trainBatch,
      measuredTrainSpeedup: med(training[i]!.tokensPerSecond) / med(training[0]!.tokensPerSecond),
      trainStepCpuSeconds: med(training[i]!.cpuSeconds),
      cpuTrainSpeedup: med(training[0]!.cpuSeconds) / med(training[i]!.cpuSeconds),
      decodeMsPerToken: 1000 / med(decode[i]!),
      matvecOnlyMsPerToken: med(matvec[i]!),
      decodeOverMatvec: 1000 / med(decode[i]!) / med(matvec[i]!),
      scanSeconds: scans[i]!.seconds,
      scanCpuSeconds: scans[i]!.cpuSeconds,
      scanSubLayerEvaluations: scans[i]!.evaluations,
      naiveScanSeconds: naiveScans[i]!.seconds,
      naiveScanSubLayerEvaluations: naiveScans[i]!.evaluations,
      naiveScanCpuSeconds: naiveScans[i]!.cpuSeconds,
      scanReuseSpeedup: naiveScans[i]!.seconds / scans[i]!.seconds,
      scanReuseCpuSpeedup: naiveScans[i]!.cpuSeconds / scans[i]!.cpuSeconds,
      scanEvaluations: keptNames(keep).length,
      calibrationExamples: settings.calibrationExamples,
      calibrationSeq: settings.calibrationSeq,
      peakRssBytes: 0,
      runs: settings.runs,
      warmup: settings.warmup,
      promptTokens: settings.promptTokens,
      newTokens: settings.newTokens,
    };
  });
}

/** Fills in the bandwidth-derived ceiling of rows measured in this process. */
export function withCeiling(rows: readonly BenchRow[], bytesPerSecond: number): BenchRow[] {
  return rows.map((r) => ({
    ...r,
    memoryBandwidthBytesPerSecond: bytesPerSecond,
    matvecCeilingTokensPerSecond: bytesPerSecond / r.decodeBytesPerToken,
  }));
}
