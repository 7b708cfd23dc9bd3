/**
 * Messages between the main thread (pool.ts) and a worker thread (worker.ts). Every request carries an id; the
 * worker answers each with a WorkerReply of the same id, in order.
 */
import type { KeepMask } from '../model/sublayers.ts';
import type { HostBatch } from '../train/batch.ts';
import type { Evaluable } from '../trim/prepare.ts';
import type { RecordedEncodings } from './recorded-tokenizer.ts';
import type { SharedWeights } from './shared-weights.ts';
import type { SharedAdamWStep, SharedParam } from './shared-update.ts';

/** Builds the worker's model from shared weights on the named backend. Reply: null. */
export interface InitRequest {
  type: 'init';
  backend: string;
  shared: SharedWeights;
}

/** One thread's share of a calibration scan (scan.ts scanShare). Reply: ScanShareResult. */
export interface ScanRequest {
  type: 'scan';
  keep: KeepMask;
  /** The share of the calibration examples. */
  calibration: Evaluable;
  encodings: RecordedEncodings;
}

/** P's counts of `keep` on this worker's share of an evaluation set (scan.ts shareCounts). Reply: PerformanceCounts. */
export interface CountsRequest {
  type: 'counts';
  keep: KeepMask;
  /** The share of the evaluation set. */
  data: Evaluable;
  encodings: RecordedEncodings;
}

/**
 * Gradients of this worker's rows of one micro-batch (train/gradients.ts), written (first micro-batch) or added
 * (`accumulate`) into its gradient buffers grads[part] (shared-update.ts writeGradients). Reply: its loss share.
 */
export interface GradsRequest {
  type: 'grads';
  keep: KeepMask;
  /** The trainable parameters, in the trainer's order. */
  params: SharedParam[];
  /** This worker's thread index (≥ 1; thread 0 is the main thread). */
  part: number;
  batch: HostBatch;
  stepTargetTokens: number;
  accumulate: boolean;
}

/** Phase 2 of the shared update (shared-update.ts reduceShard) on shard `part` of `parts`. Reply: Σ g² of the shard. */
export interface ReduceRequest {
  type: 'reduce';
  params: SharedParam[];
  part: number;
  parts: number;
}

/** Phase 3 (shared-update.ts adamwShard) on shard `part` of `parts`. Reply: null. */
export interface UpdateRequest {
  type: 'update';
  params: SharedParam[];
  part: number;
  parts: number;
  step: SharedAdamWStep;
}

/** Phase 4 (shared-update.ts loadShared): the worker's copy of the model loads every θ. Reply: null. */
export interface LoadRequest {
  type: 'load';
  params: SharedParam[];
}

/** Times `reps` products of two random [n, n] matrices on the worker's backend (the bench roofline). Reply: seconds. */
export interface MatMulRequest {
  type: 'matmul';
  n: number;
  reps: number;
}

/** Any request. */
export type WorkerRequest = InitRequest | ScanRequest | CountsRequest | GradsRequest | ReduceRequest | UpdateRequest | LoadRequest | MatMulRequest;

/** A request as sent, with its id. */
export type WorkerMessage = WorkerRequest & { id: number };

/** A worker's answer. */
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
