// Fuzz: the llama2.c checkpoint reader (parseLlama2c) and the llama2.c tokenizer reader (parseLlama2cTokenizer):
// byte mutations of valid files, nasty header ints (0, −1, 2^31 − 1, the v1/v2 magic), generated configs written
// with exactly the size their header implies (so the consistency checks, not the size check, must catch them),
// truncation. Every case loads (and then serves its tensors / encodes and decodes text) or throws an
// InputFileError naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseLlama2c } from '../../engine/io/llama2c.ts';
import { parseLlama2cTokenizer } from '../../engine/io/llama2c-tokenizer.ts';
import { STORIES_TOK } from '../helpers/shared.ts';
import { fuzz, inputFileProblem, mutatedBytes } from './harness.ts';

const FILE = 'fuzz/model.bin';
const TOK_FILE = 'fuzz/tokenizer.bin';

interface Header {
  dim: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  seqLen: number;
}

/** A version-0 checkpoint whose size is what its header implies (when that is small), filled with ramps. */
function checkpoint(h: Header, extraBytes = 0): Uint8Array {
  const headDim = h.heads === 0 ? 0 : h.dim / h.heads;
  const kvDim = h.kvHeads * headDim;
  const V = Math.abs(h.vocab);
  const perLayer = 2 * h.dim + 2 * h.dim * h.dim + 2 * kvDim * h.dim + 3 * h.hidden * h.dim;
  let floats = V * h.dim + h.layers * perLayer + h.dim + h.seqLen * headDim + (h.vocab < 0 ? V * h.dim : 0);
  if (!Number.isInteger(floats) || floats < 0 || floats > 20_000) floats = 16; // header inconsistent with any size
  const out = new Uint8Array(28 + 4 * floats + extraBytes);
  const view = new DataView(out.buffer);
  [h.dim, h.hidden, h.layers, h.heads, h.kvHeads, h.vocab, h.seqLen].forEach((v, i) => view.setInt32(4 * i, v, true));
  for (let i = 0; i < floats; i++) view.setFloat32(28 + 4 * i, ((i % 17) - 8) / 16, true);
  return out;
}

const TINY: Header = { dim: 8, hidden: 12, layers: 2, heads: 2, kvHeads: 1, vocab: 16, seqLen: 4 };
const VALID = [checkpoint(TINY), checkpoint({ ...TINY, vocab: -16, kvHeads: 2 })];

/** Serves every tensor the engine asks for, at its expected shape (what buildWeights does, minus tfjs). */
function serveAll(bytes: Uint8Array): void {
  const { config, source } = parseLlama2c(bytes, FILE);
  const { dim, hiddenDim, headDim, nKvHeads, nHeads, vocabSize } = config;
  const wanted: [string, number[]][] = [['model.embed_tokens.weight', [vocabSize, dim]], ['model.norm.weight', [dim]]];
  if (!config.tiedEmbeddings) wanted.push(['lm_head.weight', [vocabSize, dim]]);
  for (let l = 0; l < config.nLayers; l++) {
    const p = `model.layers.${l}.`;
    wanted.push(
      [`${p}input_layernorm.weight`, [dim]], [`${p}self_attn.q_proj.weight`, [nHeads * headDim, dim]],
      [`${p}self_attn.k_proj.weight`, [nKvHeads * headDim, dim]], [`${p}self_attn.v_proj.weight`, [nKvHeads * headDim, dim]],
      [`${p}self_attn.o_proj.weight`, [dim, nHeads * headDim]], [`${p}post_attention_layernorm.weight`, [dim]],
      [`${p}mlp.gate_proj.weight`, [hiddenDim, dim]], [`${p}mlp.up_proj.weight`, [hiddenDim, dim]], [`${p}mlp.down_proj.weight`, [dim, hiddenDim]],
    );
  }
  for (const [name, shape] of wanted) {
    const t = source(name, shape);
    assert.equal(t.data.length, shape.reduce((a, b) => a * b, 1), `${name} has ${t.data.length} elements for shape [${shape}]`);
  }
}

const smallInt = fc.oneof(fc.integer({ min: -2, max: 18 }), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31), 1 << 24, 0x616b3432));
/** Generated headers, mostly near TINY, written with the size they imply. */
const generated = fc
  .record({ dim: smallInt, hidden: smallInt, layers: smallInt, heads: smallInt, kvHeads: smallInt, vocab: smallInt, seqLen: smallInt })
  .chain((h) => fc.record({ h: fc.constant(h), extra: fc.constantFrom(0, 0, 0, 1, 4, -4) }))
  .map(({ h, extra }) => {
    const bytes = checkpoint(h, Math.max(0, extra));
    return extra < 0 ? bytes.subarray(0, bytes.length + extra) : bytes;
  });
/** One header int of a valid file replaced by a nasty value. */
const badHeaderInt = fc
  .tuple(fc.constantFrom(...VALID), fc.integer({ min: 0, max: 6 }), smallInt)
  .map(([v, i, value]) => {
    const out = Uint8Array.from(v);
    new DataView(out.buffer).setInt32(4 * i, value, true);
    return out;
  });

test('fuzz: llama2.c checkpoint reader — malformed files are refused with an InputFileError naming the file', { timeout: 120_000 }, async (t) => {
  const arb = fc.oneof(mutatedBytes(VALID), generated, badHeaderInt);
  const stats = await fuzz(t, arb, serveAll, (e) => inputFileProblem(e, FILE));
  assert.ok(stats.rejected > stats.cases / 2);
  assert.ok(stats.accepted > 0);
});

const TOKENIZER = readFileSync(STORIES_TOK); // 512 tokens, 6 KB
const TEXTS = ['Once upon a time', '', ' ', 'Ünïcödé 🙂 \u0000 <0x41>', 'a'.repeat(300)];

/** Parses a tokenizer of `vocab` tokens, then encodes and decodes text (what generation will do with it). */
function useTokenizer(bytes: Uint8Array, vocab: number, text: string): void {
  const tok = parseLlama2cTokenizer(bytes, TOK_FILE, vocab);
  const ids = tok.encode(text);
  for (const id of ids) assert.ok(Number.isInteger(id) && id >= 0 && id < tok.vocabSize, `encode gave id ${id} outside [0, ${tok.vocabSize})`);
  tok.decode(ids);
}

test('fuzz: llama2.c tokenizer reader — malformed files are refused with an InputFileError naming the file', { timeout: 120_000 }, async (t) => {
  const arb = fc.tuple(
    mutatedBytes([TOKENIZER]),
    fc.oneof({ weight: 4, arbitrary: fc.constant(512) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, 3, 300, 513, 4096) }),
    fc.oneof(fc.constantFrom(...TEXTS), fc.string({ maxLength: 40, unit: 'binary' })),
  );
  const stats = await fuzz(t, arb, ([bytes, vocab, text]) => useTokenizer(bytes, vocab, text), (e) => inputFileProblem(e, TOK_FILE));
  assert.ok(stats.rejected > 0 && stats.accepted > 0);
});
