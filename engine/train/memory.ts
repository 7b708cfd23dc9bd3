/**
 * Byte accounting of one training step on the wasm backend (float32 everywhere), so a run that cannot fit is
 * refused before it starts, with the numbers and what would fit. Terms (b = batch rows, s = tokens per row,
 * d = hidden, f = MLP width, h / hk = query / KV heads, V = vocabulary, L = blocks, P = parameters):
 *
 * - weights: 4P, every weight (frozen and trainable) is a tf.Variable.
 * - packedCopies: XNNPACK packs the right operand of every fast product and keeps the packed copy while the
 *   weight lives (tfjs-backend-wasm caches its operator per weight): 4 × the linear weights of the blocks.
 * - headCopy: a tied model's embedding transposed to [d, V] for the head (llama.ts derived) and its packed
 *   copy: 2 × 4·V·d (0 for an untied head, whose weight is already counted).
 * - activations: tensors the gradient tape keeps for the backward pass, per row and token: per block
 *   ACT_PER_BLOCK(d, f, h, hk, s) floats (RMSNorm 4d, q/k/v and RoPE 5·(h + 2hk)·dh, scores/softmax 3·h·s,
 *   context and output 2d, residuals 2d; MLP: gate, up, SiLU parts and product 5f, norm 4d, output d), plus
 *   the head's logits, log-softmax and loss terms 3V. With the LM head's logits computed in one piece this is
 *   the dominant term at long s on large vocabularies.
 * - gradients: 4 × trainable parameters (only trainable sub-layers get a buffer: train/gradients.ts hands
 *   only them to tf.variableGrads); accumulation adds one more while summing.
 * - optimizer: AdamW's m and v, 8 × trainable parameters (only for trainable sub-layers: adamw.ts).
 * - transients: the largest temporaries alive at once: clipping in place (clip.ts clipInPlace) needs one
 *   gradient; the AdamW update of one parameter ~6 copies of it; backward through the head ~2 × b·s·V.
 *
 * The factors are engineering estimates from the engine's code, not measured per tensor; engine/bench/
 * memory-step.ts prints them beside the wasm heap actually used and the peak RSS of a real step. The heap is a
 * high-water mark that also holds what the accounting leaves out (the backward pass's transposed operand copies
 * and their XNNPACK packing, wasm-kernels.ts; allocator fragmentation; Emscripten's geometric heap growth), so
 * the fit check compares HEAP_FACTOR × the accounted total with the 4 GiB limit. Measured (memory-step.ts, 128
 * tokens, batch 1; accounted → wasm heap): stories110M shape, every sub-layer trainable: 2.40 → 3.44 GB,
 * completes; SmolLM2-135M shape, r = 0.25: 1.84 → 3.49 GB, completes; SmolLM2-135M, every sub-layer: 2.97 GB
 * accounted, aborts at 4 GiB; SmolLM2-360M shape, r = 0.25: 4.34 GB accounted, aborts. HEAP_FACTOR = 1.6 puts
 * the two that complete under the limit (3.84, 2.94 GB) and the two that abort over it (4.75, 6.94 GB).
 */
import type { LlamaConfig } from '../model/config.ts';
import { parameterBreakdown } from '../model/params.ts';

/** The wasm backend's heap limit: 4 GiB (32-bit wasm memory). */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** Wasm heap needed per accounted byte, from four measured steps (see the file docstring). */
export const HEAP_FACTOR = 1.6;

/** One training step's shape. */
export interface StepShape {
  /** Rows per micro-batch. */
  batch: number;
  /** Tokens per row. */
  seq: number;
  /** Trainable flags per sub-layer (keep-mask order, length 2L); frozen and dropped ones get no state. */
  trainable: readonly boolean[];
}

/** Bytes of each term of a training step (see the file docstring). */
export interface StepMemory {
  weights: number;
  packedCopies: number;
  headCopy: number;
  activations: number;
  gradients: number;
  optimizer: number;
  transients: number;
  /** Sum of the terms above. */
  total: number;
  /** Wasm heap the step needs: HEAP_FACTOR × total. */
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
  const linear = subLayers.reduce((a, s) => a + s.parameters, 0) - c.nLayers * 2 * c.dim; // minus the norm gains
  const weights = b.total.bytes;
  const packedCopies = 4 * linear;
  const headCopy = c.tiedEmbeddings ? 2 * 4 * c.vocabSize * c.dim : 4 * c.vocabSize * c.dim; // untied: its packed copy
  const activations = 4 * tokens * (c.nLayers * activationFloatsPerBlock(c, step.seq) + 3 * c.vocabSize);
  const gradients = 4 * trainableParams + 4 * largestTrainable;
  const optimizer = 8 * trainableParams;
  const transients = Math.max(4 * 6 * largestTrainable, 2 * 4 * tokens * c.vocabSize);
  const total = weights + packedCopies + headCopy + activations + gradients + optimizer + transients;
  return { weights, packedCopies, headCopy, activations, gradients, optimizer, transients, total, heapEstimate: HEAP_FACTOR * total };
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
    `a training step needs about ${gib(memory.heapEstimate)} of the backend's memory (${HEAP_FACTOR} × model ${gib(memory.weights)} + its ` +
    `packed copies ${gib(memory.packedCopies + memory.headCopy)} + activations ${gib(memory.activations)} + gradients ${gib(memory.gradients)} + ` +
    `optimizer ${gib(memory.optimizer)} + temporaries ${gib(memory.transients)}) ` +
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
