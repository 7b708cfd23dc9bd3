/**
 * The measurements of `trimllm plan` (estimate.ts holds the arithmetic): on the run's own model and data, a few
 * repeats each (after one untimed warm-up) of one training step (the run's micro-batch, the run's sparse ratio of
 * sub-layers trainable, learning rate 0 so the weights stay as loaded), one scan candidate (the calibration set
 * evaluated once by the full model), one evaluation batch of the test split and one decode benchmark run; and
 * the run's shape (counts of its data and settings); for a run that writes a report, one GGUF file of the full
 * model measured in llama.cpp on GGUF_PLAN_RECORDS test records. A few seconds on small models.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchmarkThroughput, median } from '../eval/throughput.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import type { LlamaModel } from '../model/llama.ts';
import { fullKeepMask, keptNames } from '../model/sublayers.ts';
import { makeBatch } from '../train/batch.ts';
import { spreadMask } from '../train/memory.ts';
import { Trainer } from '../train/trainer.ts';
import { WorkerPool } from '../parallel/pool.ts';
import { calibrationPerformance, evaluationCounts, subset } from '../parallel/scan.ts';
import { llamaCppInstance } from '../runtime/llama-cpp.ts';
import { measureGgufFile, QUANTIZED_DTYPES, scoringWork, type ScoringWork } from '../runtime/quantized-eval.ts';
import { EVAL_BATCH, type RunShape, type Timing, type UnitTimings } from './estimate.ts';
import { calibrationSample } from './measure.ts';
import type { TrimRunConfig } from './pipeline.ts';
import { evalSize, type Evaluable, type PreparedTask } from './prepare.ts';

/** Median and relative spread of repeated timings of `fn` (seconds), after one untimed call. */
async function time(repeats: number, fn: () => Promise<unknown>): Promise<Timing> {
  await fn();
  const seconds: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = globalThis.performance.now();
    await fn();
    seconds.push((globalThis.performance.now() - start) / 1000);
  }
  const m = median(seconds);
  return { seconds: m, spread: m > 0 ? (Math.max(...seconds) - Math.min(...seconds)) / m : 0 };
}

/** The first `n` items of an evaluation set. */
function head(data: Evaluable, n: number): Evaluable {
  return data.kind === 'choice' ? { kind: 'choice', items: data.items.slice(0, n) } : { kind: 'tokens', examples: data.examples.slice(0, n) };
}

/** Test records scored in llama.cpp when plan times a GGUF file (the run scores the whole test split), spread over it. */
export const GGUF_PLAN_RECORDS = 6;

/** How plan measures. */
export interface MeasureOptions {
  /** The run's threads (default 1). */
  threads?: number;
  /** Says when the worker threads did not start (the units are then timed on one thread). */
  onMessage?: (text: string) => void;
  /** Timed repeats of each unit after a warm-up (default 3; fewer: quicker, a less certain spread). */
  repeats?: number;
  /** For a run that writes a report (its GGUF files are measured): the tokenizer's file or folder; else absent. */
  ggufTokenizer?: string;
}

/** One record's llama.cpp scoring: its work and the seconds it took. */
export interface ScoringSample extends ScoringWork {
  seconds: number;
}

/**
 * Seconds per scored position and per evaluated token of llama.cpp scoring, fitted to timed records by least
 * squares with both ≥ 0 (seconds ≈ a · positions + b · tokens: small models spend it on the positions, each
 * returning the whole next-token distribution; large ones on the tokens' forward pass). Where the joint fit
 * gives a negative coefficient, the better of the two one-term fits.
 * @returns a, b ≥ 0 (0, 0 without samples or work)
 */
export function fitScoringCost(samples: readonly ScoringSample[]): { perPosition: number; perToken: number } {
  const sum = (f: (s: ScoringSample) => number) => samples.reduce((acc, s) => acc + f(s), 0);
  const [pp, pt, tt] = [sum((s) => s.positions ** 2), sum((s) => s.positions * s.tokens), sum((s) => s.tokens ** 2)];
  const [py, ty] = [sum((s) => s.positions * s.seconds), sum((s) => s.tokens * s.seconds)];
  const det = pp * tt - pt * pt;
  if (det > 1e-9 * pp * tt) {
    const a = (py * tt - ty * pt) / det;
    const b = (ty * pp - py * pt) / det;
    if (a >= 0 && b >= 0) return { perPosition: a, perToken: b };
  }
  const residual = (a: number, b: number) => sum((s) => (s.seconds - a * s.positions - b * s.tokens) ** 2);
  const onPositions = { perPosition: pp > 0 ? py / pp : 0, perToken: 0 };
  const onTokens = { perPosition: 0, perToken: tt > 0 ? ty / tt : 0 };
  return residual(onPositions.perPosition, 0) <= residual(0, onTokens.perToken) ? onPositions : onTokens;
}

/**
 * One GGUF file of the run's report, timed after llama.cpp has started (its start is timed apart, once per
 * run): the full model exported in F32 and loaded in llama.cpp,
 * GGUF_PLAN_RECORDS test records spread over the split scored one by one and the decode timed; the scoring of the
 * whole split predicted from the records' work (fitScoringCost). Measured once (a file's export and load are not
 * repeated): its spread is 0 and the formula's error covers it.
 */
async function timeGgufFile(
  model: LlamaModel, tokenizer: Tokenizer, tokenizerSource: string, test: Evaluable,
): Promise<{ ggufStart: Timing; ggufFile: Timing }> {
  const start = globalThis.performance.now();
  await llamaCppInstance(); // once per process: not part of each file
  const ggufStart: Timing = { seconds: (globalThis.performance.now() - start) / 1000, spread: 0 };
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-plan-'));
  try {
    const n = evalSize(test);
    const sample = [...new Set(Array.from({ length: Math.min(GGUF_PLAN_RECORDS, n) }, (_, j) => Math.floor((j * n) / GGUF_PLAN_RECORDS)))];
    const timed: ScoringSample[] = [];
    const candidate = { name: 'plan', kind: 'base' as const, model, tokenizer, tokenizerSource };
    const { seconds: s } = await measureGgufFile(candidate, QUANTIZED_DTYPES[0]!, join(dir, 'plan.gguf'), subset(test, sample), 'plan', {
      onRecord: (j, seconds) => timed.push({ ...scoringWork(tokenizer, test, sample[j]!), seconds }),
    });
    const { perPosition, perToken } = fitScoringCost(timed);
    let score = 0;
    for (let i = 0; i < n; i++) {
      const w = scoringWork(tokenizer, test, i);
      score += perPosition * w.positions + perToken * w.tokens;
    }
    return { ggufStart, ggufFile: { seconds: s.export + s.open + score + s.decode, spread: 0 } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Times the run's units on `model` (its weights are not changed) on `threads` threads, as the run uses them: the
 * training step data-parallel, the scan candidate's and the evaluation batch's examples split across the threads
 * (engine/parallel, as the run's measureEntry and validation); the decode run on one thread, as the run's.
 * @throws Error when the task has no training example or no test item (a GGUF file that cannot be timed is
 *   said with onMessage and left out, as the run leaves it out of its report)
 */
export async function measureUnits(
  model: LlamaModel, tokenizer: Tokenizer, task: PreparedTask, config: TrimRunConfig, options: MeasureOptions = {},
): Promise<UnitTimings> {
  const { threads = 1, onMessage = () => {}, repeats = 3 } = options;
  if (task.train.length === 0 || evalSize(task.test) === 0) throw new Error('plan: the dataset has no training example or no test item');
  const full = fullKeepMask(model.config.nLayers);
  const trainable = keptNames(spreadMask(full.length, config.sparseRatio));
  const pool = await WorkerPool.startOrNull(model, threads, onMessage);
  const trainer = new Trainer(model, { trainable: { subLayers: trainable }, ...(pool ? { pool } : {}) });
  const mb = config.microBatchSize;
  const batches = Array.from({ length: config.accumulationSteps }, (_, i) => {
    const rows = task.train.slice(i * mb, (i + 1) * mb);
    return makeBatch(rows.length > 0 ? rows : task.train.slice(0, mb)); // a small set repeats its first rows
  });
  try {
    const trainStep = await time(repeats, () => trainer.trainStep(batches, 0));
    const calibration = calibrationSample(task.validation, config.calibrationSize, config.seed);
    const scanCandidate = await time(repeats, () => calibrationPerformance(model, tokenizer, calibration, full, pool));
    const evalBatch = await time(repeats, () => evaluationCounts(model, tokenizer, head(task.test, EVAL_BATCH), full, pool));
    const decode = await time(repeats, () => benchmarkThroughput(model, { ...config.benchmark, runs: 1, warmup: 0, keep: full }));
    const gguf = options.ggufTokenizer === undefined ? undefined
      : await timeGgufFile(model, tokenizer, options.ggufTokenizer, task.test).catch((e: unknown) => {
        // the run skips its GGUF measurement on the same error (electron/app/execute-run.ts)
        onMessage(`GGUF files not timed, and the run's report will skip them: ${(e as Error).message}`);
        return undefined;
      });
    return { trainStep, scanCandidate, evalBatch, decode, ...gguf };
  } finally {
    trainer.dispose();
    await pool?.dispose();
  }
}

/**
 * The counts of a run: its data sizes and settings.
 * @param writesReport whether the run writes a report (its GGUF files are then measured)
 */
export function runShape(task: PreparedTask, config: TrimRunConfig, nLayers: number, writesReport: boolean): RunShape {
  return {
    nSubLayers: 2 * nLayers, trainExamples: task.train.length, validationItems: evalSize(task.validation), testItems: evalSize(task.test),
    microBatchSize: config.microBatchSize, accumulationSteps: config.accumulationSteps, dropsPerEpoch: config.dropsPerEpoch,
    keptFraction: config.targets.keptFraction ?? 0.5, maxEpochs: config.targets.maxEpochs, baselines: config.baselines,
    benchmarkRuns: config.benchmark.runs, ggufDtypes: writesReport ? QUANTIZED_DTYPES.length : 0,
    ...(config.healEpochs !== undefined ? { healEpochs: config.healEpochs } : {}),
    ...(config.baselineEpochs !== undefined ? { baselineEpochs: config.baselineEpochs } : {}),
  };
}
