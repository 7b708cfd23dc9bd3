/**
 * The typed configuration of a Llama-family decoder (Llama 2, TinyLlama, Mistral without sliding window,
 * SmolLM/SmolLM2, Qwen2 with q/k/v bias, llama2.c checkpoints). Every loader converts its own format into this,
 * once, at the edge (STYLE.md: no magic encodings past the loader).
 */

/** Hyper-parameters of a Llama-family decoder. */
export interface LlamaConfig {
  /** Architecture label for reports and export, e.g. `LlamaForCausalLM`, `Qwen2ForCausalLM`. */
  architecture: string;
  /** Model (residual stream) width `dim`, e.g. 64 for stories260K. */
  dim: number;
  /** MLP inner width (SwiGLU), e.g. 172 for stories260K. */
  hiddenDim: number;
  /** Number of decoder blocks L; the model has 2L sub-layers. */
  nLayers: number;
  /** Number of query heads. */
  nHeads: number;
  /** Number of key/value heads (grouped-query attention when < nHeads; nHeads % nKvHeads === 0). */
  nKvHeads: number;
  /** Width of one attention head; usually dim / nHeads. */
  headDim: number;
  /** Vocabulary size V. */
  vocabSize: number;
  /** Longest sequence (positions) the model was trained for. */
  maxSeqLen: number;
  /** RMSNorm epsilon, e.g. 1e-5. */
  normEps: number;
  /** RoPE base θ, e.g. 10000. */
  ropeTheta: number;
  /** True when the LM head reuses the token embedding matrix (tied weights). */
  tiedEmbeddings: boolean;
  /** True when q/k/v projections carry a bias (Qwen2). */
  qkvBias: boolean;
}

/**
 * Checks the internal consistency of a config (positive sizes, heads divide evenly, even head width for RoPE).
 * @param source where the config came from (a file path), named in the error
 * @throws Error naming the source and the inconsistent field
 */
export function validateConfig(config: LlamaConfig, source: string): void {
  const positive: (keyof LlamaConfig)[] = [
    'dim', 'hiddenDim', 'nLayers', 'nHeads', 'nKvHeads', 'headDim', 'vocabSize', 'maxSeqLen',
  ];
  for (const key of positive) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new Error(`${source}: config field "${key}" must be a positive integer, got ${String(v)}`);
    }
  }
  if (config.nHeads % config.nKvHeads !== 0) {
    throw new Error(`${source}: nHeads (${config.nHeads}) must be a multiple of nKvHeads (${config.nKvHeads})`);
  }
  if (config.headDim % 2 !== 0) throw new Error(`${source}: headDim (${config.headDim}) must be even for RoPE`);
  if (!(config.normEps > 0)) throw new Error(`${source}: normEps must be > 0, got ${config.normEps}`);
  if (!(config.ropeTheta > 0)) throw new Error(`${source}: ropeTheta must be > 0, got ${config.ropeTheta}`);
}
