/**
 * Byte accounting of one training step on the wasm backend (float32 everywhere), so a run that cannot fit is
 * refused before it starts, with the numbers and what would fit. Terms (b = batch rows, s = tokens per row,
 * d = hidden, f = MLP width, h / hk = query / KV heads, V = vocabulary, L = blocks, P = parameters):
 *
 * - weights: 4P, every weight (frozen and trainable) is a tf.Variable.
 * - packedCopies: while a gradient is computed, XNNPACK packs a product's right operand per call and frees it
 *   after (backend/wasm-kernels.ts), and the packed copies earlier inference left on the weights are freed when
 *   the training forward starts (releasePackedCopies), as is the tied head's transposed copy (llama.ts): one
 *   packed operand at a time, the largest being the head's [V, d] (4·max(V·d, d·f)).
 * - activations: tensors the gradient tape keeps for the backward pass, per row and token: per block
 *   ACT_PER_BLOCK(d, f, h, hk, s) floats (RMSNorm 4d, q/k/v and RoPE 5·(h + 2hk)·dh, scores/softmax 3·h·s,
 *   context and output 2d, residuals 2d; MLP: gate, up, SiLU parts and product 5f, norm 4d, output d), plus
 *   the head's logits, log-softmax and loss terms 3V. The wasm Identity shares its input's bytes
 *   (wasm-kernels.ts), so a tensor the tape saves is not copied. With activation checkpointing (llama.ts
 *   checkpointActivations) the L blocks keep only their inputs (d each), and one block's re-run holds its own.
 * - activationGradients: as many bytes again: tfjs keeps the gradient of every intermediate tensor until the
 *   backward pass ends (tfjs-core tape.ts backpropagateGradients disposes none), so its peak holds both.
 * - gradients: 4 × trainable parameters (only trainable sub-layers get a buffer: train/gradients.ts hands
 *   only them to tf.variableGrads); accumulation adds one more while summing.
 * - optimizer: AdamW's m and v, 8 × trainable parameters (only for trainable sub-layers: adamw.ts).
 * - transients: the largest temporaries alive at once: clipping in place (clip.ts clipInPlace) needs one
 *   gradient; the AdamW update of one parameter ~6 copies of it; backward through the head ~2 × b·s·V.
 *
 * The factors are engineering estimates from the engine's code, not measured per tensor; engine/bench/
 * memory-step.ts prints them beside the wasm heap actually used and the peak RSS of a real step (after one
 * inference pass, as a run's calibration scan). The heap is a high-water mark that also holds what the
 * accounting leaves out (allocator fragmentation, intermediate tensors the per-block formula misses), so the fit
 * check compares HEAP_FACTOR × the accounted total with the 4 GiB limit. Measured (memory-step.ts, 128 tokens,
 * batch 1; accounted → wasm heap high-water, bench README log 11): SmolLM2-135M shape, r = 0.25: 1.74 → 1.92 GB
 * (×1.11); SmolLM2-135M, every sub-layer: 2.87 → 2.97 GB (×1.04); stories110M shape, every sub-layer: 2.33 →
 * 2.33 GB (×1.00); SmolLM2-360M shape, r = 0.25: 3.61 → 3.76 GB (×1.04); all four complete. HEAP_FACTOR = 1.15
 * covers the largest ratio with 4% to spare. The inference pass before a step peaks separately (the `inference`
 * term, 3.13 GB for the 360M shape at 128 tokens), and the check takes the larger. With activation checkpointing
 * (the 360M shape, r = 0.25: 128 tokens 2.40 GB accounted, inference 3.13 → heap 3.66 GB, ×1.17; 512 tokens 3.28
 * GB, inference 3.28 → heap 4.12 GB, ×1.26, both complete) the heap runs further over: there the inference pass
 * dominates, and the check is optimistic by up to 10%; nothing turns checkpointing on by itself yet.
 * On one thread AdamW's moments and its update's temporaries are on the wasm heap (the optimizer term); with
 * worker threads (`sharedOptimizer`) they live in shared memory outside it (parallel/host-adamw.ts), so that term
 * and the update's temporaries are 0 there.
 */
import type { LlamaConfig } from '../model/config.ts';
import { parameterBreakdown } from '../model/params.ts';

/** The wasm backend's heap limit: 4 GiB (32-bit wasm memory). */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** Wasm heap needed per accounted byte, from four measured steps (see the file docstring). */
export const HEAP_FACTOR = 1.15;

/** One training step's shape. */
export interface StepShape {
  /** Rows per micro-batch. */
  batch: number;
  /** Tokens per row. */
  seq: number;
  /** Trainable flags per sub-layer (keep-mask order, length 2L); frozen and dropped ones get no state. */
  trainable: readonly boolean[];
  /** Activation checkpointing per block (LlamaModel.checkpointActivations); default false. */
  checkpointing?: boolean;
  /**
   * AdamW's moments, clipping and update outside the wasm heap, in shared memory (parallel/host-adamw.ts, used
   * when a run has worker threads); default false (adamw.ts, on the heap).
   */
  sharedOptimizer?: boolean;
}

/** Bytes of each term of a training step (see the file docstring). */
export interface StepMemory {
  weights: number;
  packedCopies: number;
  activations: number;
  activationGradients: number;
  gradients: number;
  optimizer: number;
  transients: number;
  /** Sum of the terms above. */
  total: number;
  /**
   * An inference pass over the same window, which a run does before training (a calibration scan) and whose
   * high-water mark the heap keeps: weights, the packed copy of every weight, the tied head's transposed copy
   * and its packed copy, logits and their softmax (2 × b·s·V).
   */
  inference: number;
  /** Wasm heap the step needs: HEAP_FACTOR × max(total, inference). */
  heapEstimate: number;
}

/** Floats kept per token and row by one block's forward pass for backward (see the file docstring). */
export function activationFloatsPerBlock(c: LlamaConfig, seq: number): number {
  const dh = c.headDim;
  const attention = 4 * c.dim + 5 * (c.nHeads + 2 * c.nKvHeads) * dh + 3 * c.nHeads * seq + 2 * c.dim + 2 * c.dim;
  const mlp = 5 * c.hiddenDim + 4 * c.dim + c.dim;
  return attention + mlp;
}

/**
 * The byte accounting of one training step.
 * @throws RangeError when the trainable mask's length is not 2L or batch / seq are not positive integers
 */
export function trainingStepMemory(c: LlamaConfig, step: StepShape): StepMemory {
  if (step.trainable.length !== 2 * c.nLayers) throw new RangeError(`trainable mask has ${step.trainable.length} entries, the model ${2 * c.nLayers}`);
  for (const [k, v] of [['batch', step.batch], ['seq', step.seq]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  const b = parameterBreakdown(c);
  const tokens = step.batch * step.seq;
  const subLayers = b.subLayers;
  const trainableParams = subLayers.filter((_, i) => step.trainable[i]).reduce((a, s) => a + s.parameters, 0);
  const largestTrainable = Math.max(0, ...subLayers.filter((_, i) => step.trainable[i]).map((s) => s.parameters));
  const weights = b.total.bytes;
  const packedCopies = 4 * Math.max(c.vocabSize * c.dim, c.dim * c.hiddenDim);
  const perBlock = activationFloatsPerBlock(c, step.seq);
  const kept = step.checkpointing ? c.nLayers * c.dim + perBlock : c.nLayers * perBlock; // block inputs + one re-run
  const activations = 4 * tokens * (kept + 3 * c.vocabSize);
  const activationGradients = activations;
  const gradients = 4 * trainableParams + 4 * largestTrainable;
  const optimizer = step.sharedOptimizer ? 0 : 8 * trainableParams;
  const transients = Math.max(step.sharedOptimizer ? 0 : 4 * 6 * largestTrainable, 2 * 4 * tokens * c.vocabSize);
  const total = weights + packedCopies + activations + activationGradients + gradients + optimizer + transients;
  const linear = subLayers.reduce((a, s) => a + s.parameters, 0) - c.nLayers * 2 * c.dim; // minus the norm gains
  const inference = weights + 4 * linear + (c.tiedEmbeddings ? 2 : 1) * 4 * c.vocabSize * c.dim + 2 * 4 * tokens * c.vocabSize;
  const heapEstimate = HEAP_FACTOR * Math.max(total, inference);
  return { weights, packedCopies, activations, activationGradients, gradients, optimizer, transients, total, inference, heapEstimate };
}

/** Whether a step fits a heap, and if not, what would. */
export interface FitReport {
  fits: boolean;
  memory: StepMemory;
  heapBytes: number;
  /** Longest tokens per row that fits with the same trainable set (0 when none). */
  maxSeq: number;
  /** Plain-words message: the numbers, and what would fit (null when it fits). */
  message: string | null;
}

const gib = (x: number) => `${(x / 2 ** 30).toFixed(2)} GiB`;

/** The terms of a step's accounting in words, e.g. `model 1.35 GiB + its packed copy 0.18 GiB + …` (GiB). */
export function describeStepMemory(m: StepMemory): string {
  return `model ${gib(m.weights)} + its packed copy ${gib(m.packedCopies)} + activations ${gib(m.activations)} and their gradients ` +
    `${gib(m.activationGradients)} + gradients ${gib(m.gradients)} + optimizer ${gib(m.optimizer)} + temporaries ${gib(m.transients)}`;
}

/** Checks a step against the wasm heap (or `heapBytes`), naming what would fit when it does not. */
export function checkStepFits(c: LlamaConfig, step: StepShape, heapBytes = WASM_HEAP_BYTES): FitReport {
  const memory = trainingStepMemory(c, step);
  let lo = 0;
  let hi = step.seq;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (trainingStepMemory(c, { ...step, seq: mid }).heapEstimate <= heapBytes) lo = mid;
    else hi = mid - 1;
  }
  if (memory.heapEstimate <= heapBytes) return { fits: true, memory, heapBytes, maxSeq: step.seq, message: null };
  const options = [
    lo >= 2 ? `a training window of ${lo} tokens` : null,
    `fewer trainable parts (gradients and optimizer state take ${gib(memory.gradients + memory.optimizer)})`,
    'the native TensorFlow backend (@tensorflow/tfjs-node), which has no 4 GiB limit',
  ].filter((x): x is string => x !== null);
  const message =
    `a training step needs about ${gib(memory.heapEstimate)} of the backend's memory (${HEAP_FACTOR} × (${describeStepMemory(memory)})) ` +
    `but the backend has ${gib(heapBytes)}. What would fit: ${options.join('; or ')}.`;
  return { fits: false, memory, heapBytes, maxSeq: lo, message };
}

/**
 * ⌈ratio · n⌉ trainable flags spread evenly over n sub-layers, the first one set: the worst case of a sparse
 * ratio for memory (the first block trainable keeps every block's activations for backward), used where the
 * real ranking is not known yet (plan, memory-step).
 */
export function spreadMask(n: number, ratio: number): boolean[] {
  const count = Math.ceil(ratio * n);
  const mask = new Array<boolean>(n).fill(false);
  for (let i = 0; i < count; i++) mask[Math.floor((i * n) / count)] = true;
  return mask;
}
