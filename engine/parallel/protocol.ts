/**
 * Messages between the main thread (pool.ts) and a worker thread (worker.ts). Every request carries an id; the
 * worker answers each with a WorkerReply of the same id, in order.
 */
import type { KeepMask } from '../model/sublayers.ts';
import type { HostBatch } from '../train/batch.ts';
import type { Evaluable } from '../trim/prepare.ts';
import type { RecordedEncodings } from './recorded-tokenizer.ts';
import type { SharedWeights } from './shared-weights.ts';

/** Builds the worker's model from shared weights on the named backend. Reply: null. */
export interface InitRequest {
  type: 'init';
  backend: string;
  shared: SharedWeights;
}

/** Re-reads the named weights from the shared buffers (after an optimizer step). Reply: null. */
export interface SyncRequest {
  type: 'sync';
  names: string[];
}

/** One thread's share of a calibration scan (scan.ts scanShare). Reply: ScanShareResult. */
export interface ScanRequest {
  type: 'scan';
  keep: KeepMask;
  /** The share of the calibration examples. */
  calibration: Evaluable;
  encodings: RecordedEncodings;
}

/** Gradients of one part of a step (train/gradients.ts). Reply: GradsReply. */
export interface GradsRequest {
  type: 'grads';
  keep: KeepMask;
  /** Hugging Face names of the parameters to differentiate. */
  names: string[];
  batch: HostBatch;
  stepTargetTokens: number;
}

/** The gradients of a GradsRequest, in the worker's variable layout (same as the main thread's). */
export interface GradsReply {
  loss: number;
  grads: { name: string; shape: number[]; data: Float32Array }[];
}

/** Times `reps` products of two random [n, n] matrices on the worker's backend (the bench roofline). Reply: seconds. */
export interface MatMulRequest {
  type: 'matmul';
  n: number;
  reps: number;
}

/** Any request. */
export type WorkerRequest = InitRequest | SyncRequest | ScanRequest | GradsRequest | MatMulRequest;

/** A request as sent, with its id. */
export type WorkerMessage = WorkerRequest & { id: number };

/** A worker's answer. */
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
