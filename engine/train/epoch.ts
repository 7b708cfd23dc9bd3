/**
 * One epoch of fine-tuning: plan the order (plan.ts), pad each micro-batch (batch.ts), take one optimizer step
 * per group of micro-batches (trainer.ts) at the scheduled learning rate (schedule.ts), report progress, and
 * stop cleanly between steps when the AbortSignal fires. Deterministic: the same seed, examples, options and
 * starting weights/optimizer state give the same losses and weights, bit for bit, on the same backend.
 */
import type { TrainingExample } from './example.ts';
import { validateExample } from './example.ts';
import { makeBatch } from './batch.ts';
import { planEpoch } from './plan.ts';
import { learningRate, type ScheduleOptions } from './schedule.ts';
import type { Trainer } from './trainer.ts';
import { yieldToEventLoop } from '../event-loop.ts';

/** Progress after each optimizer step (for progress bars and run_events). */
export interface StepEvent {
  /** Optimizer updates done in the whole run, counting this one (1-based). */
  step: number;
  /** Epoch number as given in the options. */
  epoch: number;
  /** Mean NLL per target token of this step, before its update, nats. */
  loss: number;
  /** Learning rate used by this step. */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Real input tokens (forward + backward + update) per second of this step. */
  tokensPerSecond: number;
  /** Examples of this epoch trained so far, including this step's. */
  examplesDone: number;
  /** Examples in this epoch. */
  examplesTotal: number;
}

/** Options of trainEpoch. */
export interface EpochOptions {
  /** Examples per micro-batch (one forward/backward pass). */
  microBatchSize: number;
  /** Micro-batches per optimizer step (gradient accumulation). Default 1. */
  accumulationSteps?: number;
  /** Shuffle seed (integer). */
  seed: number;
  /** Epoch number (0-based); mixed into the shuffle seed and reported. Default 0. */
  epoch?: number;
  /** Length-bucketing window in steps (0 or absent: none; see plan.ts). */
  bucketWindow?: number;
  /** Shuffle the examples (default true). */
  shuffle?: boolean;
  /** Learning-rate schedule. */
  schedule: ScheduleOptions;
  /** Optimizer steps of the whole run (all epochs), for the schedule's decay. */
  totalSteps: number;
  /** Pad id (default 0; padding is masked, so any valid id works). */
  padId?: number;
  /** Called after every step; awaited, so a slow consumer (database) applies back-pressure. */
  onStep?: (event: StepEvent) => void | Promise<void>;
  /** Stops between steps when aborted; the epoch then returns with aborted = true. */
  signal?: AbortSignal;
}

/** Summary of an epoch. */
export interface EpochResult {
  /** Optimizer steps taken in this epoch. */
  steps: number;
  /** Loss of every step, in order. */
  losses: number[];
  /** Token-weighted mean loss of the epoch, Σ NLL / Σ target tokens (NaN when no step ran), nats. */
  meanLoss: number;
  /** Real input tokens per second over the steps' wall time. */
  tokensPerSecond: number;
  /** Target tokens trained on. */
  targetTokens: number;
  /** Examples trained on. */
  examplesDone: number;
  /** Wall time of the steps, seconds. */
  seconds: number;
  /** True when the signal stopped the epoch early. */
  aborted: boolean;
}

/**
 * Trains one epoch over `examples`.
 * @throws RangeError on an invalid example (validateExample) or option; Error from Trainer.trainStep. An abort
 *   is not an error: see EpochResult.aborted.
 */
export async function trainEpoch(
  trainer: Trainer,
  examples: readonly TrainingExample[],
  options: EpochOptions,
): Promise<EpochResult> {
  const { vocabSize, maxSeqLen } = trainer.model.config;
  examples.forEach((e, i) => validateExample(e, i, vocabSize, maxSeqLen));
  const epoch = options.epoch ?? 0;
  const plan = planEpoch(examples, { ...options, epoch });
  const result: EpochResult = {
    steps: 0, losses: [], meanLoss: NaN, tokensPerSecond: 0, targetTokens: 0, examplesDone: 0, seconds: 0, aborted: false,
  };
  let nllSum = 0;
  let realTokens = 0;
  for (const step of plan) {
    if (options.signal?.aborted) {
      result.aborted = true;
      break;
    }
    const lr = learningRate(trainer.step, options.totalSteps, options.schedule);
    const batches = step.map((indices) => makeBatch(indices.map((i) => examples[i]!), options.padId ?? 0));
    const r = await trainer.trainStep(batches, lr);
    result.steps += 1;
    result.losses.push(r.loss);
    result.examplesDone += step.reduce((a, mb) => a + mb.length, 0);
    result.targetTokens += r.targetTokens;
    result.seconds += r.seconds;
    nllSum += r.loss * r.targetTokens;
    realTokens += r.realTokens;
    await options.onStep?.({
      step: trainer.step,
      epoch,
      loss: r.loss,
      lr,
      gradNorm: r.gradNorm,
      tokensPerSecond: r.realTokens / r.seconds,
      examplesDone: result.examplesDone,
      examplesTotal: examples.length,
    });
    await yieldToEventLoop(); // lets a cancel (the signal above) or Ctrl-C arrive between steps
  }
  if (result.targetTokens > 0) result.meanLoss = nllSum / result.targetTokens;
  result.tokensPerSecond = result.seconds > 0 ? realTokens / result.seconds : 0;
  return result;
}
