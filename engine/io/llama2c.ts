/**
 * llama2.c checkpoints (karpathy/llama2.c, legacy "version 0" format written by `export.py --version 0`):
 * a header of seven little-endian int32 — dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len —
 * then float32 arrays in this order: token_embedding [V, dim], rms_att [L, dim], wq [L, dim, dim],
 * wk [L, kvDim, dim], wv [L, kvDim, dim], wo [L, dim, dim], rms_ffn [L, dim], w1 [L, hidden, dim],
 * w2 [L, dim, hidden], w3 [L, hidden, dim], rms_final [dim], freq_cis_real/imag [seq_len, headDim/2] each
 * (unused: we compute RoPE), and wcls [V, dim] only when the head is untied.
 *
 * The format's one trick — a negative vocab_size meaning "untied head" — is parsed here, once, into
 * `LlamaConfig.tiedEmbeddings`. Query/key rows are permuted from interleaved RoPE pairs into the rotate-half
 * layout (rope.ts), so the rest of the engine sees Hugging Face conventions only.
 */
import { readFileSync } from 'node:fs';
import { validateConfig, type LlamaConfig } from '../model/config.ts';
import { interleavedToHalfPermutation } from '../model/rope.ts';
import type { HostTensor, TensorSource } from '../model/weights.ts';
import { checkAsInputFile, InputFileError } from './errors.ts';

const HEADER_BYTES = 7 * 4;
const LLAMA2C_MAGIC = 0x616b3432; // "ak42": versions 1 and 2 of the format

/** A parsed llama2.c checkpoint: config plus a tensor source in Hugging Face layout. */
export interface Llama2cCheckpoint {
  config: LlamaConfig;
  source: TensorSource;
}

/** Permutes the rows of a [rows, cols] matrix: out row r = in row perm[r]. */
function permuteRows(data: Float32Array, cols: number, perm: Int32Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < perm.length; r++) out.set(data.subarray(perm[r]! * cols, (perm[r]! + 1) * cols), r * cols);
  return out;
}

/**
 * Whether seven int32 header values could describe a llama2.c version-0 model: every size positive and below
 * 2^24, heads dividing dim, and the file at least as long as the token embedding it announces.
 * @param header dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative: untied), seq_len
 * @param fileBytes length of the whole file in bytes, or Infinity to check the sizes only
 */
export function looksLikeLlama2cHeader(header: Int32Array, fileBytes: number): boolean {
  const [dim, hidden, nLayers, nHeads, nKv, rawVocab, seqLen] = Array.from(header) as number[];
  const sizes = [dim!, hidden!, nLayers!, nHeads!, nKv!, Math.abs(rawVocab!), seqLen!];
  if (sizes.some((v) => !(v > 0 && v < 1 << 24))) return false;
  return dim! % nHeads! === 0 && HEADER_BYTES + Math.abs(rawVocab!) * dim! * 4 <= fileBytes;
}

/**
 * Reads a llama2.c version-0 checkpoint.
 * @param path the `.bin` file
 * @throws InputFileError (naming the file) for an empty/short file, a v1/v2 header, impossible sizes, or a
 *   file whose length does not match the header
 */
export function readLlama2c(path: string): Llama2cCheckpoint {
  return parseLlama2c(readFileSync(path), path);
}

/**
 * Parses the bytes of a llama2.c version-0 checkpoint held in memory (the checks of readLlama2c).
 * @param bytes the whole file
 * @param path the name used in errors
 * @throws InputFileError naming `path`, as readLlama2c
 */
export function parseLlama2c(bytes: Uint8Array, path: string): Llama2cCheckpoint {
  if (bytes.length < HEADER_BYTES) {
    throw new InputFileError(path, `too short for a llama2.c checkpoint (${bytes.length} bytes; header is 28)`);
  }
  const header = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + HEADER_BYTES));
  if (header[0] === LLAMA2C_MAGIC) {
    throw new InputFileError(path, 'llama2.c version 1/2 checkpoints are not supported; export with --version 0');
  }
  if (!looksLikeLlama2cHeader(header, Number.POSITIVE_INFINITY)) {
    throw new InputFileError(path, 'not a model file this app can read (neither a llama2.c checkpoint nor a Hugging Face model folder)');
  }
  const [dim, hidden, nLayers, nHeads, nKv, rawVocab, seqLen] = Array.from(header) as number[];
  const config: LlamaConfig = {
    architecture: 'LlamaForCausalLM',
    dim: dim!,
    hiddenDim: hidden!,
    nLayers: nLayers!,
    nHeads: nHeads!,
    nKvHeads: nKv!,
    headDim: dim! / nHeads!,
    vocabSize: Math.abs(rawVocab!),
    maxSeqLen: seqLen!,
    normEps: 1e-5,
    ropeTheta: 10000,
    tiedEmbeddings: rawVocab! > 0,
    qkvBias: false,
  };
  checkAsInputFile(path, () => validateConfig(config, path));
  const { vocabSize: V, headDim } = config;
  const kvDim = config.nKvHeads * headDim;
  const L = config.nLayers;
  const sizes: [string, number][] = [
    ['token_embedding', V * dim!], ['rms_att', L * dim!], ['wq', L * dim! * dim!], ['wk', L * kvDim * dim!],
    ['wv', L * kvDim * dim!], ['wo', L * dim! * dim!], ['rms_ffn', L * dim!], ['w1', L * hidden! * dim!],
    ['w2', L * dim! * hidden!], ['w3', L * hidden! * dim!], ['rms_final', dim!],
    ['freq_cis', seqLen! * headDim], ['wcls', config.tiedEmbeddings ? 0 : V * dim!],
  ];
  const floats = sizes.reduce((a, [, n]) => a + n, 0);
  const expected = HEADER_BYTES + 4 * floats;
  if (bytes.length !== expected) {
    throw new InputFileError(
      path,
      `size ${bytes.length} bytes does not match its llama2.c header (expects ${expected} bytes for dim ${dim}, ` +
        `${L} layers, vocab ${V}); the file is truncated or not a version-0 llama2.c checkpoint`,
    );
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset + HEADER_BYTES, bytes.byteOffset + expected));
  const arrays = new Map<string, Float32Array>();
  let at = 0;
  for (const [name, n] of sizes) {
    arrays.set(name, all.subarray(at, at + n));
    at += n;
  }
  const permQ = interleavedToHalfPermutation(config.nHeads, headDim);
  const permK = interleavedToHalfPermutation(config.nKvHeads, headDim);
  const layerSlice = (name: string, l: number, shape: number[]): HostTensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { shape, data: arrays.get(name)!.subarray(l * n, (l + 1) * n) };
  };
  const source: TensorSource = (hfName, shape) => {
    if (hfName === 'model.embed_tokens.weight') return { shape, data: arrays.get('token_embedding')! };
    if (hfName === 'model.norm.weight') return { shape, data: arrays.get('rms_final')! };
    if (hfName === 'lm_head.weight') return { shape, data: arrays.get('wcls')! };
    const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hfName);
    if (!m) throw new InputFileError(path, `no tensor ${hfName} in a llama2.c checkpoint`);
    const l = Number(m[1]);
    const part = {
      'input_layernorm.weight': 'rms_att', 'self_attn.q_proj.weight': 'wq', 'self_attn.k_proj.weight': 'wk',
      'self_attn.v_proj.weight': 'wv', 'self_attn.o_proj.weight': 'wo', 'post_attention_layernorm.weight': 'rms_ffn',
      'mlp.gate_proj.weight': 'w1', 'mlp.down_proj.weight': 'w2', 'mlp.up_proj.weight': 'w3',
    }[m[2]!];
    if (!part) throw new InputFileError(path, `no tensor ${hfName} in a llama2.c checkpoint`);
    const t = layerSlice(part, l, shape);
    if (part === 'wq') return { shape, data: permuteRows(t.data, shape[1]!, permQ) };
    if (part === 'wk') return { shape, data: permuteRows(t.data, shape[1]!, permK) };
    return t;
  };
  return { config, source };
}
