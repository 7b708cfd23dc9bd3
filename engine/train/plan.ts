/**
 * The order of one epoch: which examples form each micro-batch and which micro-batches form each optimizer
 * step (gradient accumulation). Deterministic in (seed, epoch): a seeded shuffle (rng.ts), never Math.random.
 *
 * Optional length bucketing: within windows of `bucketWindow` steps of the shuffled order, examples are sorted by
 * length before being cut into micro-batches (so a batch pads little), and the steps are then shuffled again,
 * so similar lengths share a batch without the epoch running from short to long.
 */
import type { TrainingExample } from './example.ts';
import { createRng, shuffled } from './rng.ts';

/** How an epoch is cut into steps. */
export interface PlanOptions {
  /** Examples per micro-batch (one forward/backward pass), ≥ 1. */
  microBatchSize: number;
  /** Micro-batches per optimizer step (gradient accumulation), ≥ 1. Default 1. */
  accumulationSteps?: number;
  /** Shuffle seed (integer). */
  seed: number;
  /** Epoch number (0-based), mixed into the seed so every epoch has its own order. Default 0. */
  epoch?: number;
  /** Shuffle the examples (default true); false keeps the given order (evaluation, tests). */
  shuffle?: boolean;
  /** Group similar lengths within windows of this many steps (0 or absent: no bucketing). */
  bucketWindow?: number;
}

/** One optimizer step: its micro-batches, each a list of example indices. */
export type StepPlan = number[][];

/**
 * Number of optimizer steps of one epoch of `exampleCount` examples (the last step may be partial).
 * @throws RangeError when a size is not a positive integer
 */
export function stepsPerEpoch(exampleCount: number, microBatchSize: number, accumulationSteps = 1): number {
  for (const [k, v] of [['microBatchSize', microBatchSize], ['accumulationSteps', accumulationSteps]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  return Math.ceil(exampleCount / (microBatchSize * accumulationSteps));
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Plans one epoch: steps → micro-batches → example indices. Every example appears exactly once.
 * @throws RangeError on a non-positive size (see stepsPerEpoch) or a negative bucketWindow
 */
export function planEpoch(examples: readonly TrainingExample[], options: PlanOptions): StepPlan[] {
  const accumulation = options.accumulationSteps ?? 1;
  stepsPerEpoch(examples.length, options.microBatchSize, accumulation);
  const window = options.bucketWindow ?? 0;
  if (!Number.isInteger(window) || window < 0) {
    throw new RangeError(`bucketWindow must be a non-negative integer, got ${window}`);
  }
  const rng = createRng(options.seed, options.epoch ?? 0);
  const all = examples.map((_, i) => i);
  const order = options.shuffle === false ? all : shuffled(all, rng);
  const perStep = options.microBatchSize * accumulation;
  if (window === 0) return chunk(order, perStep).map((s) => chunk(s, options.microBatchSize));
  const steps: StepPlan[] = [];
  for (const w of chunk(order, perStep * window)) {
    const byLength = w
      .map((index, rank) => ({ index, rank, length: examples[index]!.inputIds.length }))
      .sort((a, b) => b.length - a.length || a.rank - b.rank)
      .map((x) => x.index);
    for (const s of chunk(byLength, perStep)) steps.push(chunk(s, options.microBatchSize));
  }
  return shuffled(steps, rng);
}
