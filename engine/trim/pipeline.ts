/**
 * One TrimLLM run end to end (DESIGN.md §1): an initial calibration scan fixes the sparse-update mask, then the
 * progressive schedule (progressive.ts) trains, scores, drops and heals, checkpointing every epoch; each
 * checkpoint is measured on the test split (P with its scored count, parameter bytes, decode tokens/s). The
 * named variants (variants.ts: soft drop, healing set, distillation, look-ahead, planned LR span) plug in here.
 * Baselines are trained and measured the same way in baseline-runs.ts. Persistence is the caller's (RunSink), so
 * the engine stays free of the database; a run resumes from any checkpoint the sink saved (ResumePoint).
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import { fullKeepMask, keptNames, type KeepMask } from '../model/sublayers.ts';
import { keptParameterBytes } from '../model/params.ts';
import { namedWeights } from '../model/weights.ts';
import { Trainer, trainEpoch, type AdamWState, type EpochOptions, type StepEvent } from '../train/index.ts';
import { benchmarkThroughput, median } from '../eval/throughput.ts';
import { evaluateMultipleChoice } from '../eval/multiple-choice.ts';
import { evaluateTextTokens } from '../eval/text-tokens.ts';
import type { ReportEntry, ReportEntryKind } from '../report/types.ts';
import { scanSubLayers, sparseTrainableMask, type ImportanceMethod, type SubLayerScore } from './importance.ts';
import { initialTrimState, runTrimSchedule, type TrimState, type TrimTargets } from './progressive.ts';
import type { DropRule } from './baselines.ts';
import type { OneShotRule } from './one-shot.ts';
import { DEFAULT_TRIM_VARIANTS, type TrimVariants } from './variants.ts';
import { fadeScale, setFading } from './soft-drop.ts';
import { activationNorms, calibrationSample, performance } from './measure.ts';
import { deriveSeed, seededSample } from '../random.ts';
import { chooseByRecovery } from './lookahead.ts';
import type { PreparedTask } from './prepare.ts';

/** Comparison runs beside TrimLLM (paper Table 3, and the one-shot rules of one-shot.ts). */
export type BaselineName = 'full-finetune' | 'sparse-finetune' | DropRule | OneShotRule;

/** Settings of a run (stored with it; every field has a default in DEFAULT_TRIM_CONFIG). */
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

/** Defaults: the paper's r = 0.25, k = 1, "both"; 50% of sub-layers kept. */
export const DEFAULT_TRIM_CONFIG: TrimRunConfig = {
  method: 'both', sparseRatio: 0.25, dropsPerEpoch: 1, targets: { keptFraction: 0.5, maxEpochs: 20 },
  lr: 1e-3, warmupSteps: 2, minLrRatio: 0.1, microBatchSize: 8, accumulationSteps: 1, calibrationSize: 48,
  seed: 0, baselines: ['full-finetune', 'sparse-finetune', 'random', 'top', 'bottom', 'block-influence', 'angular'],
  benchmark: { promptTokens: 32, newTokens: 32, runs: 3 },
  variants: DEFAULT_TRIM_VARIANTS,
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
  onScan(epoch: number, scores: SubLayerScore[]): void | Promise<void>;
  onCheckpoint(checkpoint: TrimCheckpoint): void | Promise<void>;
  onEntry(entry: ReportEntry): void | Promise<void>;
  onMessage(text: string): void;
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
}

/** Optimizer steps of one epoch of the run's training set. */
export function stepsPerEpoch(ctx: TrimRunContext): number {
  return Math.ceil(ctx.task.train.length / (ctx.config.microBatchSize * ctx.config.accumulationSteps));
}

/** Measures a model on the test split: P, parameter bytes, decode tokens/s. */
export async function measureEntry(model: LlamaModel, ctx: TrimRunContext, name: string, kind: ReportEntryKind, keep: KeepMask, step?: number): Promise<ReportEntry> {
  const test = ctx.task.test;
  let p: number;
  let accNorm: number | undefined;
  let scored: number;
  if (test.kind === 'choice') {
    const r = await evaluateMultipleChoice(model, ctx.tokenizer, test.items, { keep, batchSize: 16 });
    [p, accNorm, scored] = [r.acc, r.accNorm, test.items.length];
  } else {
    const r = await evaluateTextTokens(model, test.examples, { keep, batchSize: 16 });
    [p, scored] = [r.accuracy, r.tokens];
  }
  const speed = await benchmarkThroughput(model, { ...ctx.config.benchmark, warmup: 1, keep });
  return {
    name, kind, ...(step !== undefined ? { step } : {}), kept: keptNames(keep),
    keptFraction: keep.filter(Boolean).length / keep.length, metric: ctx.task.metric, performance: p, scored,
    ...(accNorm !== undefined ? { accNorm } : {}),
    paramBytes: keptParameterBytes(model.config, keep), decodeTokensPerSecond: speed.decodeTokensPerSecond,
    prefillTokensPerSecond: speed.prefillTokensPerSecond,
  };
}

/** trainEpoch options of one epoch of this run: its batching, seed, lr schedule and stop signal. */
function epochOptions(ctx: TrimRunContext, epoch: number, totalSteps: number, onStep: EpochOptions['onStep']): EpochOptions {
  return {
    microBatchSize: ctx.config.microBatchSize, accumulationSteps: ctx.config.accumulationSteps,
    seed: ctx.config.seed, epoch, totalSteps,
    schedule: { peakLr: ctx.config.lr, warmupSteps: ctx.config.warmupSteps, minLrRatio: ctx.config.minLrRatio },
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
      epochOptions(ctx, epoch, total, (e) => ctx.sink.onStep({ ...e, epoch: epoch + 1, phase })));
    if (r.aborted) throw new Error('stopped by the user');
  }
}

/** The calibration sample of an epoch's scan: drawn fresh from the validation split, seeded by the epoch. */
export function calibrationFor(ctx: TrimRunContext, epoch: number) {
  return calibrationSample(ctx.task.validation, ctx.config.calibrationSize, deriveSeed(ctx.config.seed, epoch, 7919));
}

/** A calibration scan of the kept sub-layers on this epoch's calibration sample (reported to the sink). */
export async function scan(model: LlamaModel, ctx: TrimRunContext, epoch: number, keep: KeepMask): Promise<SubLayerScore[]> {
  const calibration = calibrationFor(ctx, epoch);
  const norms = await activationNorms(model, ctx.tokenizer, calibration, keep);
  const scores = await scanSubLayers(model, keep, (k) => performance(model, ctx.tokenizer, calibration, k), norms);
  await ctx.sink.onScan(epoch, scores);
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
 * Epochs the TrimLLM run's cosine learning-rate schedule spans. By default the upper bound maxEpochs + healing
 * (so in a normal run the cosine barely decays; issue 10 replaces this with `plannedEpochs`). MINIMAL FIX (issue 15,
 * variant `lrPlanned`, to be replaced by issue 10's plannedEpochs): the epochs the kept-fraction target implies,
 * `ceil(drops / k)` (+1 with soft dropping) plus the healing epochs, so the cosine ends where the run does, as it
 * does for every baseline.
 */
export function scheduleEpochs(config: Pick<TrimRunConfig, 'targets' | 'healEpochs' | 'dropsPerEpoch' | 'variants'>, nSubLayers: number): number {
  const { targets } = config;
  if (!config.variants?.lrPlanned || targets.keptFraction === undefined) return targets.maxEpochs + (config.healEpochs ?? targets.maxEpochs);
  const drops = Math.ceil(nSubLayers * (1 - targets.keptFraction) - 1e-9);
  const dropEpochs = Math.min(targets.maxEpochs, Math.ceil(drops / Math.max(1, config.dropsPerEpoch)) + (config.variants.softDrop ? 1 : 0));
  return dropEpochs + (config.healEpochs ?? dropEpochs);
}

/** Runs (or resumes) the TrimLLM schedule; returns its final state. */
export async function runTrimLLM(ctx: TrimRunContext): Promise<TrimState> {
  const model = await ctx.loadBase();
  const nSub = 2 * model.config.nLayers;
  try {
    let state: TrimState;
    if (ctx.resume) {
      state = ctx.resume.state;
      restoreTensors(model, ctx.resume.tensors);
      ctx.sink.onMessage(`resuming after epoch ${state.epochsDone} (${keptNames(state.keep).length}/${nSub} kept)`);
    } else {
      ctx.sink.onMessage('initial calibration scan (sparse-update ranking)');
      const scores = await scan(model, ctx, 0, fullKeepMask(model.config.nLayers));
      state = initialTrimState(sparseTrainableMask(scores, nSub, ctx.config.sparseRatio, ctx.config.method));
    }
    model.keepMask = state.keep;
    // The trainer's optimizer holds moments for its trainable set; healing may widen the set (healTrainable
    // 'all'), which starts a new optimizer. The schedule's `trainable` is the single source of truth.
    let trainerFor = keptNames(state.trainable).join(',');
    let trainer = new Trainer(model, { trainable: { subLayers: keptNames(state.trainable) } });
    if (ctx.resume) trainer.optimizer.importState(ctx.resume.optimizer);
    const variants = ctx.config.variants ?? DEFAULT_TRIM_VARIANTS;
    const distill: { teacher: LlamaModel | null } = { teacher: null }; // trained when healing starts
    const trainingNow = { mask: state.trainable as readonly boolean[] }; // the trainable mask of the last epoch
    const trainerForMask = (trainable: readonly boolean[], withTeacher: boolean) => {
      const key = keptNames(trainable).join(',') + (withTeacher ? '+teacher' : '');
      if (key !== trainerFor) {
        const step = trainer.step;
        trainer.optimizer.dispose();
        trainer = new Trainer(model, { trainable: { subLayers: keptNames(trainable) }, ...(withTeacher && distill.teacher ? { teacher: distill.teacher } : {}) });
        trainer.optimizer.continueFromStep(step);
        trainerFor = key;
      }
      return trainer;
    };
    const totalSteps = scheduleEpochs(ctx.config, nSub) * stepsPerEpoch(ctx);
    try {
      const schedule = { ...ctx.config, targets: ctx.config.targets, healTrainable: variants.healTrainable, softDrop: variants.softDrop };
      return await runTrimSchedule(state, schedule, {
        trainEpoch: async (epoch, keep, trainable, { phase, fading }) => {
          model.keepMask = keep;
          if (!trainable.some((t, i) => t && keep[i])) {
            ctx.sink.onMessage(`epoch ${epoch}: every trainable sub-layer has been dropped; nothing to train (paper §3.4: frozen ones stay frozen)`);
            return NaN;
          }
          if (phase === 'heal' && variants.distill && !distill.teacher) distill.teacher = await trainTeacher(ctx, epoch - 1 + (ctx.config.healEpochs ?? epoch - 1));
          setFading(model, fading);
          trainingNow.mask = trainable;
          try {
            const r = await trainEpoch(trainerForMask(trainable, phase === 'heal' && variants.distill), ctx.task.train,
              epochOptions(ctx, epoch, totalSteps, async (e) => {
                if (fading !== null) setFading(model, fading, fadeScale(e.examplesDone, e.examplesTotal));
                await ctx.sink.onStep({ ...e, phase: 'trimllm' });
              }));
            if (r.aborted) throw new Error('stopped by the user');
            return r.meanLoss;
          } finally {
            setFading(model, null);
          }
        },
        scan: (epoch, keep) => scan(model, ctx, epoch, keep),
        ...(variants.lookahead > 0 ? {
          choose: (epoch: number, keep: KeepMask, scores: SubLayerScore[]) => chooseByRecovery(keep, scores, ctx.config.method, variants.lookahead,
            (without, candidate) => probeRecovery(model, trainer, ctx, { epoch, keep, trainable: trainingNow.mask, without, candidate: candidate.index, totalSteps }),
            (c, p) => ctx.sink.onMessage(`look-ahead epoch ${epoch}: without ${c.subLayer} P ${(100 * c.calibrationPerformance).toFixed(1)}% → ${(100 * p).toFixed(1)}% after ${variants.lookaheadSteps} steps`)),
        } : {}),
        validate: (keep) => performance(model, ctx.tokenizer, ctx.task.validation, keep),
        paramBytes: (keep) => keptParameterBytes(model.config, keep),
        checkpoint: async (s, label) => {
          model.keepMask = s.keep;
          const entry = s.phase === 'done' ? null
            : await measureEntry(model, ctx, `trimllm ${label} (${keptNames(s.keep).length}/${nSub})`, 'trimllm', s.keep, trainer.step);
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
  at: { epoch: number; keep: KeepMask; trainable: readonly boolean[]; without: KeepMask; candidate: number; totalSteps: number },
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
    const r = await trainEpoch(probe, burst, epochOptions(ctx, at.epoch, at.totalSteps, undefined));
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
      return { ...e, decodeTokensPerSecond: median(s.decode), prefillTokensPerSecond: median(s.prefill) };
    });
  } finally {
    model.dispose();
  }
}
