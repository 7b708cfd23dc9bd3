/**
 * Export of a loaded (possibly trimmed) model as one GGUF file for llama.cpp, Ollama and LM Studio:
 * architecture `llama` when nothing is dropped, `deci` with per-block head counts / feed-forward lengths when
 * sub-layers are dropped (gguf-blocks.ts), weights in F32, F16, Q8_0 or Q4_0 (gguf-quant.ts), the tokenizer and
 * chat template (gguf-tokenizer.ts). The file is written under a temporary name and renamed at the end.
 *
 * Layout: the engine holds q/k projections in Hugging Face's rotate-half RoPE layout (rope.ts); llama.cpp's
 * `llama`/`deci` graphs rotate interleaved pairs, so q/k rows (and biases) are permuted back to that layout.
 *
 * Per-tensor types: 1-D tensors (norms, biases) stay F32. With Q8_0 / Q4_0 every other matrix is quantized, but
 * the token embedding and the output projection stay F16, as llama.cpp keeps its output at a higher precision than
 * the body (`llama-quantize`: Q6_K output; `--token-embedding-type` / `--output-tensor-type` for both). Measured on
 * stories260K (test/integration/gguf-llama-cpp.test.ts, prompt fixed in advance, 6 masks): with those two in
 * Q8_0 as well, greedy text left the engine's at token 28 (mask attn0) and log-probabilities moved by up to 0.51;
 * with them in F16 every mask keeps ≥ 53 of 64 greedy tokens and the largest move is 0.26.
 * A matrix whose row length is not a multiple of 32 is written F16 (recorded in `fallbacks`).
 */
import { renameSync, rmSync } from 'node:fs';
import type { LlamaModel } from '../model/llama.ts';
import { interleavedToHalfPermutation } from '../model/rope.ts';
import { droppedNames } from '../model/sublayers.ts';
import { namedWeights, readHfTensor, type HostTensor } from '../model/weights.ts';
import { planBlocks, type PlannedBlock } from './gguf-blocks.ts';
import { writeGguf, type GgufTensor, type GgufValue } from './gguf-format.ts';
import { encodeTensor, GGUF_FILE_TYPE, type GgufDtype } from './gguf-quant.ts';
import { tokenizerMetadata } from './gguf-tokenizer.ts';
import type { Tokenizer } from './tokenizer.ts';

/** Options of exportGguf. */
export interface GgufExportOptions {
  /** Weight encoding. Default F32. */
  dtype?: GgufDtype;
  /** Write no-op stand-ins for llama.cpp's deci defects (gguf-blocks.ts). Default true. */
  standIns?: boolean;
  /** Encoding of the token embedding and output projection. Default: the dtype for F32/F16, F16 when quantized. */
  embeddingDtype?: GgufDtype;
  /** `general.name`. Default `trimllm-model`. */
  name?: string;
  /** Called after each tensor with the fraction done (0..1]. */
  onProgress?: (fraction: number) => void;
}

/** What exportGguf wrote. */
export interface GgufExportResult {
  bytes: number;
  architecture: 'llama' | 'deci';
  /** Sub-layers written as all-zero stand-ins. */
  standIns: string[];
  /** Tensors not written in the requested dtype, with the reason. */
  fallbacks: string[];
}

/** Permutes rows back from rotate-half to interleaved pairs: out row perm[r] = in row r. */
function toInterleaved(t: HostTensor, heads: number, headDim: number): HostTensor {
  const perm = interleavedToHalfPermutation(heads, headDim);
  const cols = t.shape.length === 2 ? t.shape[1]! : 1;
  const out = new Float32Array(t.data.length);
  for (let r = 0; r < perm.length; r++) out.set(t.data.subarray(r * cols, (r + 1) * cols), perm[r]! * cols);
  return { shape: t.shape, data: out };
}

const TENSOR_NAMES: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'self_attn.q_proj.bias': 'attn_q.bias',
  'self_attn.k_proj.bias': 'attn_k.bias',
  'self_attn.v_proj.bias': 'attn_v.bias',
  'post_attention_layernorm.weight': 'ffn_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.down_proj.weight': 'ffn_down.weight',
};

/** Host tensors ([out, in]) of a stand-in sub-layer: unit norm gain, all-zero projections. */
function standInTensors(kind: 'attn' | 'mlp', dim: number, headDim: number, ff: number): Map<string, HostTensor> {
  const zeros = (shape: number[]) => ({ shape, data: new Float32Array(shape[0]! * (shape[1] ?? 1)) });
  const ones = { shape: [dim], data: new Float32Array(dim).fill(1) };
  if (kind === 'attn') {
    return new Map([
      ['input_layernorm.weight', ones], ['self_attn.q_proj.weight', zeros([headDim, dim])],
      ['self_attn.k_proj.weight', zeros([headDim, dim])], ['self_attn.v_proj.weight', zeros([headDim, dim])],
      ['self_attn.o_proj.weight', zeros([dim, headDim])],
    ]);
  }
  return new Map([
    ['post_attention_layernorm.weight', ones], ['mlp.gate_proj.weight', zeros([ff, dim])],
    ['mlp.up_proj.weight', zeros([ff, dim])], ['mlp.down_proj.weight', zeros([dim, ff])],
  ]);
}

function architectureMetadata(model: LlamaModel, arch: string, blocks: PlannedBlock[]): [string, GgufValue][] {
  const c = model.config;
  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  const perBlock = (pick: (b: PlannedBlock) => number): GgufValue =>
    arch === 'llama' ? u32(pick(blocks[0]!)) : { type: 'i32[]', value: Int32Array.from(blocks, pick) };
  return [
    [`${arch}.context_length`, u32(c.maxSeqLen)],
    [`${arch}.embedding_length`, u32(c.dim)],
    [`${arch}.block_count`, u32(blocks.length)],
    [`${arch}.feed_forward_length`, perBlock((b) => b.ffLength)],
    [`${arch}.attention.head_count`, perBlock((b) => b.heads)],
    [`${arch}.attention.head_count_kv`, perBlock((b) => b.kvHeads)],
    [`${arch}.attention.key_length`, u32(c.headDim)],
    [`${arch}.attention.value_length`, u32(c.headDim)],
    [`${arch}.rope.dimension_count`, u32(c.headDim)],
    [`${arch}.rope.freq_base`, { type: 'f32', value: c.ropeTheta }],
    [`${arch}.attention.layer_norm_rms_epsilon`, { type: 'f32', value: c.normEps }],
    [`${arch}.vocab_size`, u32(c.vocabSize)],
  ];
}

/**
 * Writes `model` (with its keep mask) to `outPath` as GGUF.
 * @param tokenizerSource the tokenizer's file or folder (LoadedModel.tokenizerPath)
 * @throws Error when every sub-layer is dropped; InputFileError naming the tokenizer file when it cannot be
 *   written as a GGUF vocabulary; Error from the GGUF writer (tensor names longer than 63 bytes)
 */
export async function exportGguf(
  model: LlamaModel,
  tokenizer: Tokenizer,
  tokenizerSource: string,
  outPath: string,
  options: GgufExportOptions = {},
): Promise<GgufExportResult> {
  const dtype = options.dtype ?? 'F32';
  const c = model.config;
  const plan = planBlocks(c, model.keepMask, options.standIns ?? true);
  const arch = plan.architecture;
  const hf = new Map(namedWeights(model.weights).map((w) => [w.hfName, w]));
  const fallbacks: string[] = [];
  const tensors: GgufTensor[] = [];
  const total = 2 + plan.blocks.length; // embedding, each block, final norm + output
  let done = 0;
  const step = async () => {
    options.onProgress?.(++done / total);
    await new Promise((r) => setImmediate(r)); // let progress events and the UI through between tensors
  };
  const add = (name: string, t: HostTensor, matrixType: GgufDtype) => {
    const dims = [...t.shape].reverse();
    const enc = encodeTensor(t.data, dims[0]!, t.shape.length === 1 ? 'F32' : matrixType);
    if (enc.fallback) fallbacks.push(`${name}: ${enc.fallback}`);
    tensors.push({ name, dims, type: enc.type, data: enc.data });
  };
  const read = async (hfName: string) => readHfTensor(hf.get(hfName)!);
  const headType: GgufDtype = options.embeddingDtype ?? (dtype === 'F32' ? 'F32' : 'F16');
  add('token_embd.weight', await read('model.embed_tokens.weight'), headType);
  await step();
  for (const [i, b] of plan.blocks.entries()) {
    const parts = new Map<string, HostTensor>();
    for (const kind of ['attn', 'mlp'] as const) {
      const form = b[kind];
      if (form === 'absent') continue;
      if (form === 'stand-in') {
        for (const [k, v] of standInTensors(kind, c.dim, c.headDim, b.ffLength)) parts.set(k, v);
        continue;
      }
      for (const [suffix] of Object.entries(TENSOR_NAMES)) {
        const isAttn = suffix.startsWith('self_attn') || suffix.startsWith('input_');
        const name = `model.layers.${b.source}.${suffix}`;
        if (isAttn === (kind === 'attn') && hf.has(name)) parts.set(suffix, await read(name));
      }
    }
    for (const [suffix, t] of parts) {
      const q = suffix.startsWith('self_attn.q_proj');
      const k = suffix.startsWith('self_attn.k_proj');
      const heads = b.attn === 'stand-in' ? 1 : q ? c.nHeads : c.nKvHeads;
      add(`blk.${i}.${TENSOR_NAMES[suffix]!}`, q || k ? toInterleaved(t, heads, c.headDim) : t, dtype);
    }
    await step();
  }
  add('output_norm.weight', await read('model.norm.weight'), 'F32');
  if (!c.tiedEmbeddings) add('output.weight', await read('lm_head.weight'), headType);
  await step();
  const dropped = droppedNames(model.keepMask);
  const description = dropped.length === 0
    ? 'Exported by TrimLLM Studio; no sub-layers dropped.'
    : `Exported by TrimLLM Studio with sub-layers dropped: ${dropped.join(', ')}` +
      (plan.standIns.length ? `; all-zero stand-ins (exact no-ops) for ${plan.standIns.join(', ')}.` : '.');
  const meta = new Map<string, GgufValue>([
    ['general.architecture', { type: 'string', value: arch }],
    ['general.name', { type: 'string', value: options.name ?? 'trimllm-model' }],
    ['general.description', { type: 'string', value: description }],
    ['general.file_type', { type: 'u32', value: GGUF_FILE_TYPE[dtype] }],
    ['general.quantization_version', { type: 'u32', value: 2 }],
    ['trimllm.dropped_sublayers', { type: 'string[]', value: dropped }],
    ['trimllm.stand_ins', { type: 'string[]', value: plan.standIns }],
    ...architectureMetadata(model, arch, plan.blocks),
    ...tokenizerMetadata(tokenizer, tokenizerSource, c.vocabSize),
  ]);
  const temp = `${outPath}.partial-${process.pid}`;
  try {
    const bytes = writeGguf(temp, meta, tensors);
    renameSync(temp, outPath);
    return { bytes, architecture: arch, standIns: plan.standIns, fallbacks };
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
