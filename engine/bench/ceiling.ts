/**
 * The two yardsticks the bench sets a measured speed-up against:
 *
 * - Ideal speed-up (DESIGN.md §2): matmul FLOPs per decoded token of the full model over those of the trimmed
 *   one, `flopsPerToken(full) / flopsPerToken(trimmed)` (engine/model/params.ts; Kaplan et al. 2020, Table 1),
 *   at the middle decode position (prompt + new/2), the position benchmarkThroughput reports.
 * - Matvec ceiling: an upper bound on batch-1 decode tokens/s from memory traffic alone (the roofline model,
 *   Williams, Waterman & Patterson 2009). At batch 1 every weight matrix is used in one matrix-vector product
 *   per token, so each weight byte is read once and reused zero times:
 *     tokens/s ≤ memory bandwidth (bytes/s) / bytes read per token
 *   with bytes read per token = kept parameter bytes, minus the embedding table except the one row looked up
 *   (an untied model never reads the rest of it; a tied one reads all of it as the LM head), plus the KV cache
 *   read by each kept attention sub-layer at the middle decode position (2 · nKvHeads · headDim · positions
 *   float32 values).
 *
 * The bandwidth is measured in the benchmark's own process (measureMemoryBandwidth): the larger of
 *   (a) a copy of a 64 MiB Float32Array into another (TypedArray.prototype.set, i.e. memcpy), counting
 *       2 × 64 MiB moved (read + write), best of 5, and
 *   (b) a 1 × 4096 by 4096 × 4096 float32 matMul on the active tfjs backend (64 MiB of weights, read once per
 *       product), best of 5 after one warm-up,
 * so it is what this process can actually stream, single-threaded (tfjs-wasm runs on one thread), and the
 * ceiling is an upper bound for decode only when the model's weights do not fit in the CPU caches (for
 * stories260K, ~1 MB of weights, they do and decode can exceed it).
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from '../model/config.ts';
import { BYTES_PER_PARAMETER, flopsPerToken, keptParameterBytes } from '../model/params.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** Ideal speed-up of a keep mask: FLOPs per token full / trimmed at context length `positions`. */
export function idealSpeedup(config: LlamaConfig, full: KeepMask, trimmed: KeepMask, positions: number): number {
  return flopsPerToken(config, full, positions) / flopsPerToken(config, trimmed, positions);
}

/**
 * Matmul FLOPs of one benchmark run (benchmarkThroughput): a prefill of `promptTokens` that computes the LM head
 * for the last position only, then `newTokens` decode steps of one token each; the token at 0-based position p
 * attends over p + 1 positions. From params.ts flopsPerToken (head 2 · dim · vocab per token):
 *   run = head + Σ_{p<P} (flopsPerToken(p + 1) − head) + Σ_{j=1..N} flopsPerToken(P + j)
 */
export function runFlops(config: LlamaConfig, keep: KeepMask, promptTokens: number, newTokens: number): number {
  const head = 2 * config.dim * config.vocabSize;
  let flops = head;
  for (let p = 0; p < promptTokens; p++) flops += flopsPerToken(config, keep, p + 1) - head;
  for (let j = 1; j <= newTokens; j++) flops += flopsPerToken(config, keep, promptTokens + j);
  return flops;
}

/** Bytes read from memory per decoded token (batch 1) at context length `positions`; see the file docstring. */
export function decodeBytesPerToken(config: LlamaConfig, keep: KeepMask, positions: number): number {
  const embeddingBytes = config.vocabSize * config.dim * BYTES_PER_PARAMETER;
  let bytes = keptParameterBytes(config, keep);
  if (!config.tiedEmbeddings) bytes -= embeddingBytes - config.dim * BYTES_PER_PARAMETER;
  for (let l = 0; l < config.nLayers; l++) {
    if (keep[2 * l]) bytes += 2 * config.nKvHeads * config.headDim * positions * BYTES_PER_PARAMETER;
  }
  return bytes;
}

/** Memory bandwidth measured in this process, bytes per second. */
export interface BandwidthMeasurement {
  /** (a) Float32Array copy: 2 × bytes / best seconds. */
  copyBytesPerSecond: number;
  /** (b) tfjs matvec: weight bytes / best seconds. */
  matvecBytesPerSecond: number;
  /** max of the two: what the ceiling divides. */
  bytesPerSecond: number;
}

const COPY_FLOATS = 16 * 1024 * 1024; // 64 MiB
const MATVEC_N = 4096; // 4096 × 4096 float32 = 64 MiB

/** Measures the memory bandwidth (see the file docstring). Allocates ~192 MiB transiently. */
export async function measureMemoryBandwidth(repeats = 5): Promise<BandwidthMeasurement> {
  const src = new Float32Array(COPY_FLOATS);
  for (let i = 0; i < src.length; i += 1024) src[i] = i; // touch every page
  const dst = new Float32Array(COPY_FLOATS);
  let bestCopy = Infinity;
  for (let r = 0; r <= repeats; r++) {
    const start = performance.now();
    dst.set(src);
    const s = (performance.now() - start) / 1000;
    if (r > 0) bestCopy = Math.min(bestCopy, s);
  }
  const copyBytesPerSecond = (2 * src.byteLength) / bestCopy;

  const w = tf.randomUniform([MATVEC_N, MATVEC_N], -1, 1, 'float32', 1) as tf.Tensor2D;
  const x = tf.randomUniform([1, MATVEC_N], -1, 1, 'float32', 2) as tf.Tensor2D;
  let bestMatvec = Infinity;
  try {
    for (let r = 0; r <= repeats; r++) {
      const start = performance.now();
      const y = tf.matMul(x, w);
      await y.data();
      y.dispose();
      const s = (performance.now() - start) / 1000;
      if (r > 0) bestMatvec = Math.min(bestMatvec, s);
    }
  } finally {
    tf.dispose([w, x]);
  }
  const matvecBytesPerSecond = (MATVEC_N * MATVEC_N * 4) / bestMatvec;
  return { copyBytesPerSecond, matvecBytesPerSecond, bytesPerSecond: Math.max(copyBytesPerSecond, matvecBytesPerSecond) };
}
