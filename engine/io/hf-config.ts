/**
 * Hugging Face `config.json` ⇄ LlamaConfig, for the Llama family as transformers defines it (LlamaConfig,
 * MistralConfig, Qwen2Config in `transformers/models/{llama,mistral,qwen2}/configuration_*.py`): field names and
 * defaults follow those classes. The file is untrusted: it is validated with zod, and every failure is an
 * InputFileError naming the file and the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkAsInputFile, InputFileError } from './errors.ts';
import { validateConfig, type LlamaConfig } from '../model/config.ts';

/** Supported `architectures[0]` values and their `model_type`. */
export const SUPPORTED_ARCHITECTURES: Readonly<Record<string, string>> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  Qwen2ForCausalLM: 'qwen2',
};

/** A positive integer up to `max`. The caps are far above any real model's, far below what would exhaust memory. */
const positiveInt = (max: number) => z.number().int().positive().max(max);

/** Largest sizes accepted (real models: at most 126 layers, width 16384, MLP 53248, 262k tokens, 1M positions). */
const LIMITS = { layers: 1024, width: 1 << 16, mlp: 1 << 20, heads: 1024, vocab: 1 << 21, positions: 1 << 24 };

/** The config.json fields read here; others (token ids, dtype, dropout…) pass through unchecked. */
const HfConfigSchema = z
  .object({
    hidden_size: positiveInt(LIMITS.width),
    intermediate_size: positiveInt(LIMITS.mlp),
    num_hidden_layers: positiveInt(LIMITS.layers),
    num_attention_heads: positiveInt(LIMITS.heads),
    num_key_value_heads: positiveInt(LIMITS.heads).nullish(),
    head_dim: positiveInt(LIMITS.width).nullish(),
    vocab_size: positiveInt(LIMITS.vocab),
    max_position_embeddings: positiveInt(LIMITS.positions),
    rms_norm_eps: z.number().positive().nullish(),
    rope_theta: z.number().positive().nullish(),
    tie_word_embeddings: z.boolean().nullish(),
    attention_bias: z.boolean().nullish(),
    mlp_bias: z.boolean().nullish(),
    hidden_act: z.string().nullish(),
    rope_scaling: z.unknown().optional(),
    sliding_window: positiveInt(LIMITS.positions).nullish(),
    use_sliding_window: z.boolean().nullish(),
  })
  .loose();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Picks the architecture from `architectures[0]` (or, failing that, `model_type`) and refuses non-Llama ones. */
function architectureOf(json: Record<string, unknown>, file: string): string {
  const supported = Object.keys(SUPPORTED_ARCHITECTURES).join(', ');
  const { architectures, model_type: modelType } = json;
  if (modelType !== undefined && typeof modelType !== 'string') throw new InputFileError(file, 'field "model_type" must be a string');
  let arch: string | undefined;
  if (architectures !== undefined && architectures !== null) {
    if (!Array.isArray(architectures) || typeof architectures[0] !== 'string') {
      throw new InputFileError(file, 'field "architectures" must be a non-empty array of strings');
    }
    arch = architectures[0];
    if (!Object.hasOwn(SUPPORTED_ARCHITECTURES, arch)) {
      throw new InputFileError(file, `architecture "${arch}" is not a Llama-family decoder; supported: ${supported}`);
    }
  }
  if (modelType !== undefined) {
    const byType = Object.keys(SUPPORTED_ARCHITECTURES).find((a) => SUPPORTED_ARCHITECTURES[a] === modelType);
    if (!byType) throw new InputFileError(file, `model_type "${modelType}" is not a Llama-family decoder; supported: ${Object.values(SUPPORTED_ARCHITECTURES).join(', ')}`);
    arch ??= byType;
  }
  if (arch === undefined) throw new InputFileError(file, `has neither "architectures" nor "model_type"; supported: ${supported}`);
  return arch;
}

/**
 * Converts a parsed `config.json` into a LlamaConfig. Mapping: hidden_size→dim, intermediate_size→hiddenDim,
 * num_hidden_layers→nLayers, num_attention_heads→nHeads, num_key_value_heads (default nHeads)→nKvHeads, head_dim
 * (default hidden_size / num_attention_heads)→headDim, vocab_size→vocabSize, max_position_embeddings→maxSeqLen,
 * rms_norm_eps (default 1e-6)→normEps, rope_theta (default 10000)→ropeTheta, tie_word_embeddings (default
 * false)→tiedEmbeddings, architectures[0]→architecture; qkvBias for Qwen2ForCausalLM.
 * An active sliding window (Mistral `sliding_window`, Qwen2 `use_sliding_window`) caps maxSeqLen at the window:
 * up to that length sliding-window attention equals full causal attention, so the model stays exact.
 * Refused: other architectures; any `rope_scaling` (linear, dynamic, yarn, llama3… — only plain RoPE is
 * implemented for now); `hidden_act` other than silu; `mlp_bias`; Llama `attention_bias` (transformers then puts a
 * bias on o_proj too, which LlamaConfig cannot express).
 * @param json the parsed file content
 * @param file the file path, named in errors
 * @throws InputFileError naming the file and the missing, malformed or unsupported field
 */
export function parseHfConfig(json: unknown, file: string): LlamaConfig {
  if (!isPlainObject(json)) throw new InputFileError(file, `config must be a JSON object, got ${Array.isArray(json) ? 'an array' : String(json)}`);
  const architecture = architectureOf(json, file);
  const parsed = HfConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.');
      const value = json[String(issue.path[0])];
      return value === undefined ? `required field "${field}" is missing` : `field "${field}": ${issue.message} (got ${JSON.stringify(value)})`;
    });
    throw new InputFileError(file, problems.join('; '));
  }
  const c = parsed.data;
  if (c.rope_scaling !== undefined && c.rope_scaling !== null) {
    throw new InputFileError(file, `rope_scaling ${JSON.stringify(c.rope_scaling)} is not supported (only unscaled RoPE is implemented)`);
  }
  if (c.hidden_act != null && c.hidden_act !== 'silu') throw new InputFileError(file, `hidden_act "${c.hidden_act}" is not supported (only silu, i.e. SwiGLU)`);
  if (c.mlp_bias) throw new InputFileError(file, 'mlp_bias: true is not supported (MLP projections without bias only)');
  const qwen = architecture === 'Qwen2ForCausalLM';
  if (c.attention_bias && !qwen) {
    throw new InputFileError(file, `attention_bias: true is not supported for ${architecture} (it adds an o_proj bias as well as q/k/v biases)`);
  }
  if (c.head_dim == null && c.hidden_size % c.num_attention_heads !== 0) {
    throw new InputFileError(file, `hidden_size (${c.hidden_size}) is not divisible by num_attention_heads (${c.num_attention_heads}) and there is no head_dim`);
  }
  const window = qwen ? (c.use_sliding_window ? c.sliding_window : null) : c.sliding_window;
  const config: LlamaConfig = {
    architecture,
    dim: c.hidden_size,
    hiddenDim: c.intermediate_size,
    nLayers: c.num_hidden_layers,
    nHeads: c.num_attention_heads,
    nKvHeads: c.num_key_value_heads ?? c.num_attention_heads,
    headDim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    vocabSize: c.vocab_size,
    maxSeqLen: window != null ? Math.min(window, c.max_position_embeddings) : c.max_position_embeddings,
    normEps: c.rms_norm_eps ?? 1e-6,
    ropeTheta: c.rope_theta ?? 10000,
    tiedEmbeddings: c.tie_word_embeddings ?? false,
    qkvBias: qwen,
  };
  checkAsInputFile(file, () => validateConfig(config, file));
  return config;
}

/**
 * Parses the text of a `config.json`, which must be one JSON object.
 * @param text the file content
 * @param file the file path, named in errors
 * @throws InputFileError naming the file when the text is not JSON or not an object
 */
export function parseConfigJsonText(text: string, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputFileError(file, `not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(json)) throw new InputFileError(file, `not a JSON object (got ${Array.isArray(json) ? 'an array' : String(json)})`);
  return json;
}

/**
 * Reads and parses `<dir>/config.json`.
 * @throws InputFileError naming `<dir>/config.json` when it is missing, not JSON, or not a supported config
 */
export function loadHfConfig(dir: string): LlamaConfig {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputFileError(file, `cannot read: ${(e as Error).message}`);
  }
  return parseHfConfig(parseConfigJsonText(text, file), file);
}

/**
 * Builds a `config.json` object for export: Qwen2ForCausalLM when the model has q/k/v biases, LlamaForCausalLM
 * otherwise (Mistral without sliding window is a Llama). The caller adds `torch_dtype`, token ids and any
 * trimming fields. parseHfConfig of the result gives back the same config (architecture aside).
 */
export function hfConfigFromLlama(config: LlamaConfig): Record<string, unknown> {
  const qwen = config.qkvBias;
  return {
    architectures: [qwen ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: qwen ? 'qwen2' : 'llama',
    hidden_size: config.dim,
    intermediate_size: config.hiddenDim,
    num_hidden_layers: config.nLayers,
    num_attention_heads: config.nHeads,
    num_key_value_heads: config.nKvHeads,
    head_dim: config.headDim,
    vocab_size: config.vocabSize,
    max_position_embeddings: config.maxSeqLen,
    rms_norm_eps: config.normEps,
    rope_theta: config.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: config.tiedEmbeddings,
    hidden_act: 'silu',
    ...(qwen
      ? { use_sliding_window: false, sliding_window: null, max_window_layers: config.nLayers }
      : { attention_bias: false, mlp_bias: false }),
    use_cache: true,
  };
}
