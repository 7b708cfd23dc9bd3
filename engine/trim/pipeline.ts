/**
 * One TrimLLM run end to end (DESIGN.md §1): an initial calibration scan fixes the sparse-update mask, then the
 * progressive schedule (progressive.ts) trains, scores, drops and heals, checkpointing every epoch; each
 * checkpoint is measured on the test split (P with its scored count, parameter bytes, decode tokens/s). The
 * named variants (variants.ts: soft drop, healing set, distillation, look-ahead, healing warm restart) plug in here.
 * Baselines are trained and measured the same way in baseline-runs.ts. Persistence is the caller's (RunSink), so
 * the engine stays free of the database; a run resumes from any checkpoint the sink saved (ResumePoint).
 * (Over 400 lines: the variants' hooks — the look-ahead probe and the distillation teacher — use the run's private
 * trainer and epoch options; they move out with the variant that graduates or goes.)
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import { fullKeepMask, keptNames, type KeepMask } from '../model/sublayers.ts';
import { keptParameterBytes } from '../model/params.ts';
import { namedWeights } from '../model/weights.ts';
import { Trainer, trainEpoch, type AdamWState, type EpochOptions, type StepEvent } from '../train/index.ts';
import { benchmarkThroughput, median } from '../eval/throughput.ts';
import type { ReportEntry, ReportEntryKind } from '../report/types.ts';
import { chooseDrop, sparseTrainableMask, type ImportanceMethod, type SubLayerScore } from './importance.ts';
import { initialTrimState, lrSpan, plannedEpochs, runTrimSchedule, type LrSpan, type TrimState, type TrimTargets } from './progressive.ts';
import type { DropRule } from './baselines.ts';
import type { OneShotRule } from './one-shot.ts';
import { DEFAULT_TRIM_VARIANTS, type TrimVariants } from './variants.ts';
import { fadeScale, setFading } from './soft-drop.ts';
import { WorkerPool } from '../parallel/pool.ts';
import { checkStepFits, type StepShape } from '../train/memory.ts';
import { calibrationPerformance, calibrationScan, evaluationCounts } from '../parallel/scan.ts';
import { calibrationSample, performance } from './measure.ts';
import { deriveSeed, seededSample } from '../random.ts';
import { chooseByRecovery } from './lookahead.ts';
import type { PreparedTask } from './prepare.ts';

/** Comparison runs beside TrimLLM (paper Table 3, and the one-shot rules of one-shot.ts). */
export type BaselineName = 'full-finetune' | 'sparse-finetune' | DropRule | OneShotRule;

/**
 * Settings of a run (stored with it). The user's settings, their defaults and bounds are defined once in
 * electron/api/run-settings.ts; the fixed ones are FIXED_RUN_SETTINGS.
 */
export interface TrimRunConfig {
  method: ImportanceMethod;
  /** Sparse update ratio r (paper §3.4). */
  sparseRatio: number;
  /** Sub-layers dropped per epoch (k). */
  dropsPerEpoch: number;
  targets: TrimTargets;
  /** Healing epochs after the last drop (default: as many as the drop phase took). */
  healEpochs?: number;
  /** Peak learning rate, linear warm-up steps, floor ratio of the cosine decay. */
  lr: number;
  warmupSteps: number;
  minLrRatio: number;
  microBatchSize: number;
  accumulationSteps: number;
  /** Calibration set size (records), drawn fresh from the validation split for every scan. */
  calibrationSize: number;
  seed: number;
  baselines: BaselineName[];
  /** Epochs of each fine-tuned baseline (default: the TrimLLM run's total epochs). */
  baselineEpochs?: number;
  /** Decode benchmark per measured model: prompt and new tokens, timed runs. */
  benchmark: { promptTokens: number; newTokens: number; runs: number };
  /** Named variants of the schedule (variants.ts); absent in runs stored before them: the defaults. */
  variants?: TrimVariants;
}

/**
 * The settings no face lets the user change: warm-up steps, the cosine's floor (a tenth of the peak learning
 * rate), gradient accumulation and the decode benchmark.
 */
export const FIXED_RUN_SETTINGS: Pick<TrimRunConfig, 'warmupSteps' | 'minLrRatio' | 'accumulationSteps' | 'benchmark'> = {
  warmupSteps: 2, minLrRatio: 0.1, accumulationSteps: 1, benchmark: { promptTokens: 32, newTokens: 32, runs: 3 },
};

/** A tensor of the checkpointed state (variable layout, keyed by Hugging Face name). */
export interface StateTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What a checkpoint holds, for the sink to persist. */
export interface TrimCheckpoint {
  label: string;
  state: TrimState;
  /** Weights of every sub-layer that may have changed (the initially trainable ones). */
  tensors: StateTensor[];
  optimizer: AdamWState;
  /** Optimizer steps done. */
  step: number;
  /** The report entry of this checkpoint (measured on the test split), null for the final 'done' marker. */
  entry: ReportEntry | null;
}

/** Where a run's progress goes. Every method is awaited (back-pressure from the database). */
export interface RunSink {
  onStep(event: StepEvent & { phase: string }): void | Promise<void>;
  onScan(epoch: number, scores: SubLayerScore[], scan: ScanInfo): void | Promise<void>;
  onCheckpoint(checkpoint: TrimCheckpoint): void | Promise<void>;
  onEntry(entry: ReportEntry): void | Promise<void>;
  onMessage(text: string): void;
}

/** Which calibration sample a scan used and what the engine's drop rule (chooseDrop) chose from it. */
export interface ScanInfo {
  /** Drop of the epoch this scan decides (0-based; the initial sparse-mask scan is epoch 0, draw 0). */
  draw: number;
  /** Seed of the calibration sample (calibrationSeed). */
  calibrationSeed: number;
  /** The sub-layer chooseDrop picks from these scores (null for the initial scan, which drops nothing). */
  chosen: SubLayerScore['subLayer'] | null;
}

/**
 * Seed of the calibration sample scored before drop `draw` of `epoch`: every drop draws a fresh sample
 * (DESIGN.md §1). Draw 0 keeps the seed earlier versions used for the epoch's single scan.
 */
export function calibrationSeed(seed: number, epoch: number, draw: number): number {
  return deriveSeed(seed, draw * 2 ** 16 + epoch, 7919);
}

/** A checkpoint to resume from. */
export interface ResumePoint {
  state: TrimState;
  tensors: StateTensor[];
  optimizer: AdamWState;
}

/** Everything a run needs. */
export interface TrimRunContext {
  /** A fresh copy of the base model (called once for TrimLLM and once per baseline). */
  loadBase(): Promise<LlamaModel>;
  tokenizer: Tokenizer;
  task: PreparedTask;
  config: TrimRunConfig;
  sink: RunSink;
  signal?: AbortSignal;
  resume?: ResumePoint;
  /**
   * Threads (engine/parallel/threads.ts resolveThreads): above 1, scans and training steps are split across
   * worker threads holding copies of the model (engine/parallel/pool.ts). Absent or 1: one thread.
   */
  threads?: number;
}

/** A worker pool for `model` when the run uses more than one thread, else null (WorkerPool.startOrNull). */
export function startPool(model: LlamaModel, ctx: Pick<TrimRunContext, 'threads' | 'sink'>): Promise<WorkerPool | null> {
  return WorkerPool.startOrNull(model, ctx.threads ?? 1, (text) => ctx.sink.onMessage(text));
}

/** Optimizer steps of one epoch of the run's training set. */
export function stepsPerEpoch(ctx: TrimRunContext): number {
  return Math.ceil(ctx.task.train.length / (ctx.config.microBatchSize * ctx.config.accumulationSteps));
}

/**
 * Measures a model on the test split: P (acc and acc_norm, or next-token accuracy) on the pool's threads when it
 * has workers holding the model's weights (evaluationCounts; the same values either way), parameter bytes, decode
 * tokens/s (one thread: one sequence's tokens depend on each other).
 */
export async function measureEntry(
  model: LlamaModel, ctx: TrimRunContext, name: string, kind: ReportEntryKind, keep: KeepMask,
  opts: { step?: number; pool?: WorkerPool | null } = {},
): Promise<ReportEntry> {
  const { step, pool = null } = opts;
  const test = ctx.task.test;
  // Records scored, and what guessing would score (mean of 1/choices; next-token accuracy has no useful chance).
  const n = test.kind === 'choice' ? test.items.length : test.examples.length;
  const chance = test.kind === 'choice' && n > 0 ? test.items.reduce((sum, it) => sum + 1 / it.choices.length, 0) / n : undefined;
  const counts = await evaluationCounts(model, ctx.tokenizer, test, keep, pool);
  const [p, scored] = [counts.hits / counts.total, counts.total];
  const accNorm = counts.normHits !== undefined ? counts.normHits / counts.total : undefined;
  const speed = await benchmarkThroughput(model, { ...ctx.config.benchmark, warmup: 1, keep });
  return {
    name, kind, ...(step !== undefined ? { step } : {}), kept: keptNames(keep),
    keptFraction: keep.filter(Boolean).length / keep.length, metric: ctx.task.metric, performance: p, scored,
    ...(accNorm !== undefined ? { accNorm } : {}), n, ...(chance !== undefined ? { chance } : {}),
    paramBytes: keptParameterBytes(model.config, keep), decodeTokensPerSecond: speed.decodeTokensPerSecond,
    prefillTokensPerSecond: speed.prefillTokensPerSecond,
  };
}

/** trainEpoch options of one epoch of this run: its batching, seed, lr schedule (span) and stop signal. */
function epochOptions(ctx: TrimRunContext, epoch: number, span: LrSpan, onStep: EpochOptions['onStep']): EpochOptions {
  return {
    microBatchSize: ctx.config.microBatchSize, accumulationSteps: ctx.config.accumulationSteps,
    seed: ctx.config.seed, epoch, totalSteps: span.totalSteps,
    schedule: {
      peakLr: ctx.config.lr, warmupSteps: ctx.config.warmupSteps, minLrRatio: ctx.config.minLrRatio,
      ...(span.restartStep !== undefined ? { restartStep: span.restartStep } : {}),
    },
    ...(onStep ? { onStep } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

/** Trains `model` for `epochs` epochs of the run's training set (a baseline's or a teacher's budget). */
export async function trainEpochs(model: LlamaModel, trainer: Trainer, ctx: TrimRunContext, epochs: number, phase: string): Promise<void> {
  const total = epochs * stepsPerEpoch(ctx);
  for (let epoch = 0; epoch < epochs; epoch++) {
    // epochs of a baseline count from 1, as TrimLLM's
    const r = await trainEpoch(trainer, ctx.task.train,
      epochOptions(ctx, epoch, { totalSteps: total }, (e) => ctx.sink.onStep({ ...e, epoch: epoch + 1, phase })));
    if (r.aborted) throw new Error('stopped by the user');
  }
}

/** The calibration sample of drop `draw` of an epoch's scan: drawn afresh from the validation split. */
export function calibrationFor(ctx: TrimRunContext, epoch: number, draw = 0) {
  return calibrationSample(ctx.task.validation, ctx.config.calibrationSize, calibrationSeed(ctx.config.seed, epoch, draw));
}

/** A calibration scan of the kept sub-layers on drop `draw`'s calibration sample (reported to the sink). */
export async function scan(model: LlamaModel, ctx: TrimRunContext, epoch: number, keep: KeepMask, draw: number, pool: WorkerPool | null): Promise<SubLayerScore[]> {
  const seed = calibrationSeed(ctx.config.seed, epoch, draw);
  const calibration = calibrationFor(ctx, epoch, draw);
  const scores = await calibrationScan(model, ctx.tokenizer, keep, calibration, pool);
  await ctx.sink.onScan(epoch, scores, { draw, calibrationSeed: seed, chosen: epoch === 0 ? null : chooseDrop(scores, ctx.config.method).subLayer });
  return scores;
}

/**
 * The weights of the given sub-layers (variable layout, keyed by Hugging Face name): what a checkpoint stores,
 * since only trainable sub-layers differ from the base model.
 */
export async function snapshotSubLayers(model: LlamaModel, trainable: readonly boolean[]): Promise<StateTensor[]> {
  const out: StateTensor[] = [];
  for (const w of namedWeights(model.weights)) {
    if (!w.subLayer) continue;
    const index = 2 * Number(w.subLayer.replace(/^\D+/, '')) + (w.subLayer.startsWith('attn') ? 0 : 1);
    if (!trainable[index]) continue;
    out.push({ name: w.hfName, shape: w.variable.shape.slice(), data: (await w.variable.data()) as Float32Array });
  }
  return out;
}

/**
 * Writes checkpointed weights into a model built from the base weights.
 * @throws Error naming a tensor that the model does not have or whose shape differs
 */
export function restoreTensors(model: LlamaModel, tensors: readonly StateTensor[]): void {
  const byName = new Map(namedWeights(model.weights).map((w) => [w.hfName, w.variable]));
  for (const t of tensors) {
    const v = byName.get(t.name);
    if (!v) throw new Error(`checkpoint tensor "${t.name}" does not belong to this model`);
    if (!tf.util.arraysEqual(v.shape, t.shape)) throw new Error(`checkpoint tensor "${t.name}" has shape [${t.shape}], the model [${v.shape}]`);
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
  }
}

/**
 * The largest training step of a run, for the memory check (train/memory.ts): the longest training example ×
 * the micro-batch, every sub-layer trainable (healing and the full fine-tune baseline train them all), the
 * optimizer in shared memory when the run has worker threads (`threads` > 1).
 * @throws RangeError when the task has no training examples
 */
export function largestRunStep(config: LlamaModel['config'], ctx: Pick<TrimRunContext, 'task' | 'config' | 'threads'>): StepShape {
  if (ctx.task.train.length === 0) throw new RangeError('the run has no training examples');
  const seq = Math.max(...ctx.task.train.map((e) => e.inputIds.length));
  const trainable = new Array<boolean>(2 * config.nLayers).fill(true);
  return { batch: ctx.config.microBatchSize, seq, trainable, sharedOptimizer: (ctx.threads ?? 1) > 1 };
}

/**
 * Refuses, before anything is trained, a run whose largest training step (largestRunStep) cannot fit the wasm
 * backend's heap.
 * @throws Error with the numbers and what would fit
 */
export function assertRunFits(config: LlamaModel['config'], ctx: Pick<TrimRunContext, 'task' | 'config' | 'threads'>): void {
  if (tf.getBackend() !== 'wasm' || ctx.task.train.length === 0) return;
  const fit = checkStepFits(config, largestRunStep(config, ctx));
  if (!fit.fits) throw new Error(`this run does not fit this computer's memory: ${fit.message}`);
}

/** Runs (or resumes) the TrimLLM schedule; returns its final state. */
export async function runTrimLLM(ctx: TrimRunContext): Promise<TrimState> {
  const model = await ctx.loadBase();
  const nSub = 2 * model.config.nLayers;
  try {
    assertRunFits(model.config, ctx);
  } catch (e) {
    model.dispose();
    throw e;
  }
  let pool: WorkerPool | null = null;
  try {
    if (ctx.resume) restoreTensors(model, ctx.resume.tensors);
    pool = await startPool(model, ctx);
    let state: TrimState;
    if (ctx.resume) {
      state = ctx.resume.state;
      ctx.sink.onMessage(`resuming after epoch ${state.epochsDone} (${keptNames(state.keep).length}/${nSub} kept)`);
    } else {
      ctx.sink.onMessage('initial calibration scan (sparse-update ranking)');
      const scores = await scan(model, ctx, 0, fullKeepMask(model.config.nLayers), 0, pool);
      state = initialTrimState(sparseTrainableMask(scores, nSub, ctx.config.sparseRatio, ctx.config.method));
      if (ctx.config.targets.accuracyFloor !== undefined && ctx.config.targets.floorReference === 'base') {
        state.referencePerformance = await calibrationPerformance(model, ctx.tokenizer, ctx.task.validation, state.keep, pool);
        ctx.sink.onMessage(`accuracy floor reference: base model's validation score ${state.referencePerformance.toFixed(4)}`);
      }
    }
    model.keepMask = state.keep;
    // The trainer's optimizer holds moments for its trainable set; healing widens the set to every kept
    // sub-layer, which starts a new optimizer. The schedule's `trainable` is the single source of truth.
    let trainerFor = state.trainable.join(',');
    const variants = ctx.config.variants ?? DEFAULT_TRIM_VARIANTS;
    // Data-parallel training needs workers that see what the main model sees: not with soft dropping (the fading
    // scale lives on the main model) nor distillation (the teacher is not in the workers). Only a data-parallel
    // trainer keeps the workers' weights current, so without it scans and validation run on the main thread.
    const trainPool = pool && !variants.softDrop && !variants.distill ? pool : null;
    const withPool = trainPool ? { pool: trainPool } : {};
    let trainer = new Trainer(model, { trainable: { mask: state.trainable }, ...withPool });
    if (ctx.resume) trainer.optimizer.importState(ctx.resume.optimizer);
    const distill: { teacher: LlamaModel | null } = { teacher: null }; // trained when healing starts
    const trainingNow = { mask: state.trainable as readonly boolean[] }; // the trainable mask of the last epoch
    const trainerForMask = (trainable: readonly boolean[], withTeacher: boolean) => {
      const key = trainable.join(',') + (withTeacher ? '+teacher' : '');
      if (key !== trainerFor) {
        const step = trainer.step;
        trainer.optimizer.dispose();
        trainer = new Trainer(model, {
          trainable: { mask: [...trainable] }, ...(withTeacher && distill.teacher ? { teacher: distill.teacher } : withPool),
        });
        trainer.optimizer.continueFromStep(step);
        trainerFor = key;
      }
      return trainer;
    };
    const schedule = { ...ctx.config, targets: ctx.config.targets, healTrainable: variants.healTrainable, softDrop: variants.softDrop };
    const planned = plannedEpochs(schedule, nSub);
    let span = lrSpan(planned, stepsPerEpoch(ctx), variants.healRestart, 'drop', 0); // of the epoch being trained
    try {
      return await runTrimSchedule(state, schedule, {
        trainEpoch: async (epoch, keep, trainable, { phase, fading, dropEpochs }) => {
          model.keepMask = keep;
          if (!trainable.some((t, i) => t && keep[i])) {
            ctx.sink.onMessage(`epoch ${epoch}: every trainable sub-layer has been dropped; nothing to train (paper §3.4: frozen ones stay frozen)`);
            return NaN;
          }
          if (phase === 'heal' && variants.distill && !distill.teacher) distill.teacher = await trainTeacher(ctx, epoch - 1 + (ctx.config.healEpochs ?? epoch - 1));
          setFading(model, fading);
          trainingNow.mask = trainable;
          span = lrSpan(planned, stepsPerEpoch(ctx), variants.healRestart, phase, dropEpochs);
          try {
            const r = await trainEpoch(trainerForMask(trainable, phase === 'heal' && variants.distill), ctx.task.train,
              epochOptions(ctx, epoch, span, async (e) => {
                if (fading !== null) setFading(model, fading, fadeScale(e.examplesDone, e.examplesTotal));
                await ctx.sink.onStep({ ...e, phase: 'trimllm' });
              }));
            if (r.aborted) throw new Error('stopped by the user');
            return r.meanLoss;
          } finally {
            setFading(model, null);
          }
        },
        scan: (epoch, keep, draw) => scan(model, ctx, epoch, keep, draw, trainPool),
        ...(variants.lookahead > 0 ? {
          choose: (epoch: number, keep: KeepMask, scores: SubLayerScore[]) => chooseByRecovery(keep, scores, ctx.config.method, variants.lookahead,
            (without, candidate) => probeRecovery(model, trainer, ctx, { epoch, keep, trainable: trainingNow.mask, without, candidate: candidate.index, span }),
            (c, p) => ctx.sink.onMessage(`look-ahead epoch ${epoch}: without ${c.subLayer} P ${(100 * c.calibrationPerformance).toFixed(1)}% → ${(100 * p).toFixed(1)}% after ${variants.lookaheadSteps} steps`)),
        } : {}),
        validate: (keep) => calibrationPerformance(model, ctx.tokenizer, ctx.task.validation, keep, trainPool),
        paramBytes: (keep) => keptParameterBytes(model.config, keep),
        checkpoint: async (s, label) => {
          model.keepMask = s.keep;
          const entry = s.phase === 'done' ? null
            : await measureEntry(model, ctx, `trimllm ${label} (${keptNames(s.keep).length}/${nSub})`, 'trimllm', s.keep, { step: trainer.step, pool: trainPool });
          await ctx.sink.onCheckpoint({
            label, state: s, tensors: await snapshotSubLayers(model, s.trainable), optimizer: await trainer.optimizer.exportState(),
            step: trainer.step, entry,
          });
          if (entry) await ctx.sink.onEntry(entry);
        },
        stopRequested: () => ctx.signal?.aborted ?? false,
      });
    } finally {
      trainer.optimizer.dispose();
      distill.teacher?.dispose();
    }
  } finally {
    await pool?.dispose();
    model.dispose();
  }
}

/**
 * One look-ahead probe (lookahead.ts): trains `lookaheadSteps` steps with `candidate` dropped, on a seeded sample of
 * the training set, with a copy of the run's optimizer state; returns P on the epoch's calibration sample; then puts
 * the weights back (the run's optimizer is not touched) and the keep mask.
 */
async function probeRecovery(
  model: LlamaModel, trainer: Trainer, ctx: TrimRunContext,
  at: { epoch: number; keep: KeepMask; trainable: readonly boolean[]; without: KeepMask; candidate: number; span: LrSpan },
): Promise<number> {
  const variants = ctx.config.variants ?? DEFAULT_TRIM_VARIANTS;
  const trainable = at.keep.map((k, i) => k && at.trainable[i]!);
  const saved = await snapshotSubLayers(model, trainable);
  const probe = new Trainer(model, { trainable: { subLayers: keptNames(trainable.map((t, i) => t && at.without[i]!)) } });
  try {
    probe.optimizer.importState(await trainer.optimizer.exportState());
    model.keepMask = at.without;
    const perStep = ctx.config.microBatchSize * ctx.config.accumulationSteps;
    const burst = seededSample(ctx.task.train, variants.lookaheadSteps * perStep, deriveSeed(ctx.config.seed, at.epoch, 104729 + at.candidate));
    const r = await trainEpoch(probe, burst, epochOptions(ctx, at.epoch, at.span, undefined));
    if (r.aborted) throw new Error('stopped by the user');
    return await performance(model, ctx.tokenizer, calibrationFor(ctx, at.epoch), at.without);
  } finally {
    probe.optimizer.dispose();
    restoreTensors(model, saved);
    model.keepMask = at.keep;
  }
}

/**
 * The distillation teacher: the run's own full fine-tune (every sub-layer trained on a fresh copy of the base
 * weights, `config.baselineEpochs` epochs, else `runEpochs`: the budget the full-finetune baseline gets).
 */
async function trainTeacher(ctx: TrimRunContext, runEpochs: number): Promise<LlamaModel> {
  const model = await ctx.loadBase();
  const trainer = new Trainer(model, { trainable: { subLayers: 'all' } });
  const epochs = ctx.config.baselineEpochs ?? runEpochs;
  ctx.sink.onMessage(`distillation teacher: full fine-tune, ${epochs} epochs`);
  try {
    await trainEpochs(model, trainer, ctx, epochs, 'teacher');
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    trainer.optimizer.dispose();
  }
}

/**
 * Re-measures decode and prefill tokens/s of every entry side by side, at the end of a run: speed depends only on
 * the architecture and the keep mask, so each distinct mask is benchmarked on one copy of the base weights, the
 * masks interleaved run by run (so a busy moment of the machine hits all of them alike), median per mask. The
 * numbers measured at checkpoint time, under whatever else the machine was doing then, are replaced.
 * @returns the entries with their speeds replaced
 */
export async function measureSpeedsSideBySide(ctx: TrimRunContext, entries: readonly ReportEntry[]): Promise<ReportEntry[]> {
  const model = await ctx.loadBase();
  try {
    const nSub = 2 * model.config.nLayers;
    const masks = new Map<string, KeepMask>();
    for (const e of entries) {
      const kept = new Set(e.kept);
      masks.set(e.kept.join(','), Array.from({ length: nSub }, (_, i) => kept.has(`${i % 2 ? 'mlp' : 'attn'}${i >> 1}`)));
    }
    const samples = new Map<string, { decode: number[]; prefill: number[] }>([...masks.keys()].map((k) => [k, { decode: [], prefill: [] }]));
    for (const keep of masks.values()) await benchmarkThroughput(model, { ...ctx.config.benchmark, runs: 1, warmup: 1, keep }); // warm-up
    for (let run = 0; run < ctx.config.benchmark.runs; run++) {
      for (const [key, keep] of masks) {
        const r = await benchmarkThroughput(model, { ...ctx.config.benchmark, runs: 1, warmup: 0, keep });
        samples.get(key)!.decode.push(r.decodeTokensPerSecond);
        samples.get(key)!.prefill.push(r.prefillTokensPerSecond);
      }
    }
    return entries.map((e) => {
      const s = samples.get(e.kept.join(','))!;
      return { ...e, decodeTokensPerSecond: median(s.decode), decodeSpread: { min: Math.min(...s.decode), max: Math.max(...s.decode) }, prefillTokensPerSecond: median(s.prefill) };
    });
  } finally {
    model.dispose();
  }
}
