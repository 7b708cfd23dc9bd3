/**
 * The model shapes `trimllm bench` measures: stories260K with its real weights (llama2.c checkpoint in
 * ../shared), and random-weight models with the architectures of stories15M, stories110M (karpathy/llama2.c,
 * README "Models" table) and SmolLM2-135M (HuggingFaceTB/SmolLM2-135M config.json).
 *
 * Random weights stand in for the real ones because the speed of a dense forward pass depends on the shapes
 * only, never on the values (no sparsity, no early exit), and the real checkpoints are not on this machine.
 */
import { fileURLToPath } from 'node:url';
import type { LlamaConfig } from '../model/config.ts';

/** One benchmarked shape. */
export interface BenchShape {
  /** Name used by `--shapes`, e.g. `stories15M`. */
  name: string;
  /** Where the weights come from. */
  weights: { kind: 'file'; path: string } | { kind: 'random'; config: LlamaConfig };
  /**
   * Smaller calibration set for this shape than the run's settings (the large shapes' scans are slow on 2 CPU
   * cores); the bench applies the smaller of each and prints the reason.
   */
  limits?: { calibrationExamples?: number; calibrationSeq?: number; reason: string };
}

/** Path of stories260K.bin in the shared folder beside the repository. */
export const STORIES260K_PATH = fileURLToPath(new URL('../../../shared/models/stories260K/stories260K.bin', import.meta.url));

/** A Llama config with the fields every random shape shares (RMSNorm ε 1e-5, RoPE θ 10000, no q/k/v bias). */
export function llamaShape(shape: {
  dim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads?: number;
  hiddenDim: number;
  vocabSize: number;
  maxSeqLen: number;
  tiedEmbeddings?: boolean;
  ropeTheta?: number;
}): LlamaConfig {
  return {
    architecture: 'LlamaForCausalLM',
    dim: shape.dim,
    hiddenDim: shape.hiddenDim,
    nLayers: shape.nLayers,
    nHeads: shape.nHeads,
    nKvHeads: shape.nKvHeads ?? shape.nHeads,
    headDim: shape.dim / shape.nHeads,
    vocabSize: shape.vocabSize,
    maxSeqLen: shape.maxSeqLen,
    normEps: 1e-5,
    ropeTheta: shape.ropeTheta ?? 10000,
    tiedEmbeddings: shape.tiedEmbeddings ?? false,
    qkvBias: false,
  };
}

/**
 * Every shape, in the order they are measured. Context lengths are the real models' (llama2.c: 256 for
 * stories15M, 1024 for stories110M; SmolLM2: 8192), so a 128-token prompt plus 128 new tokens fits each.
 */
export const BENCH_SHAPES: readonly BenchShape[] = [
  { name: 'stories260K', weights: { kind: 'file', path: STORIES260K_PATH } },
  {
    name: 'stories15M',
    weights: { kind: 'random', config: llamaShape({ dim: 288, nLayers: 6, nHeads: 6, hiddenDim: 768, vocabSize: 32000, maxSeqLen: 256 }) },
  },
  {
    name: 'stories110M',
    weights: { kind: 'random', config: llamaShape({ dim: 768, nLayers: 12, nHeads: 12, hiddenDim: 2048, vocabSize: 32000, maxSeqLen: 1024 }) },
    limits: { calibrationExamples: 4, reason: 'a scan is 2L′ evaluations: ~2 min of the run at 8 × 32 tokens on 2 cores' },
  },
  {
    name: 'SmolLM2-135M',
    weights: {
      kind: 'random',
      config: llamaShape({
        dim: 576, nLayers: 30, nHeads: 9, nKvHeads: 3, hiddenDim: 1536, vocabSize: 49152, maxSeqLen: 8192,
        tiedEmbeddings: true, ropeTheta: 100000,
      }),
    },
    limits: {
      calibrationExamples: 4, calibrationSeq: 16,
      reason: 'a scan is 60 evaluations: ~3 min of the run at 8 × 32 tokens on 2 cores',
    },
  },
];

/**
 * A tiny random shape (dim 16, 2 layers) for tests and smoke runs (`--shapes tiny`); not in the default list.
 */
export const TINY_SHAPE: BenchShape = {
  name: 'tiny',
  weights: { kind: 'random', config: llamaShape({ dim: 16, nLayers: 2, nHeads: 2, hiddenDim: 32, vocabSize: 64, maxSeqLen: 128 }) },
};

/**
 * The SmolLM2-360M shape (HuggingFaceTB/SmolLM2-360M config.json: hidden 960, intermediate 2560, 32 layers,
 * 15 heads, 5 KV heads, vocab 49152, tied, RoPE θ 100000, 8192 positions). Not in the default list: a training
 * step with every sub-layer trainable does not fit the wasm backend's 4 GiB heap (1.45 GB of weights plus AdamW
 * moments and gradients; r = 0.25 at 128 tokens does: memory-step.ts); it is measured on GPU backends
 * (`--shapes SmolLM2-360M`, scripts/gpu-check.sh).
 */
export const SMOLLM2_360M_SHAPE: BenchShape = {
  name: 'SmolLM2-360M',
  weights: {
    kind: 'random',
    config: llamaShape({
      dim: 960, nLayers: 32, nHeads: 15, nKvHeads: 5, hiddenDim: 2560, vocabSize: 49152, maxSeqLen: 8192,
      tiedEmbeddings: true, ropeTheta: 100000,
    }),
  },
};

/** Settings of a shape: the run's, reduced by the shape's limits. */
export function applyLimits<T extends { calibrationExamples: number; calibrationSeq: number }>(shape: BenchShape, settings: T): T {
  const l = shape.limits;
  if (!l) return settings;
  return {
    ...settings,
    calibrationExamples: Math.min(settings.calibrationExamples, l.calibrationExamples ?? Infinity),
    calibrationSeq: Math.min(settings.calibrationSeq, l.calibrationSeq ?? Infinity),
  };
}

/** Shapes of a `--quick` run (CI-sized). */
export const QUICK_SHAPES = ['stories260K', 'stories15M'] as const;

/** Every shape `--shapes` accepts: the default list, then the tiny and the SmolLM2-360M shapes. */
const KNOWN_SHAPES: readonly BenchShape[] = [...BENCH_SHAPES, TINY_SHAPE, SMOLLM2_360M_SHAPE];

/** The shape of a name (case-insensitive), or undefined. */
export function shapeByName(name: string): BenchShape | undefined {
  return KNOWN_SHAPES.find((b) => b.name.toLowerCase() === name.trim().toLowerCase());
}

/**
 * Looks shapes up by name.
 * @throws Error naming the unknown shape and listing the known ones
 */
export function findShapes(names: readonly string[]): BenchShape[] {
  return names.map((n) => {
    const s = shapeByName(n);
    if (!s) throw new Error(`unknown shape "${n}": use ${KNOWN_SHAPES.map((b) => b.name).join(', ')}`);
    return s;
  });
}
