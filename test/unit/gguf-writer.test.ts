// Issue 12: the GGUF writer's own checks (container layout, encodings, block plan) and its malformed-input errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGguf, GGUF_ALIGNMENT, type GgufValue } from '../../engine/io/gguf-format.ts';
import { decodeTensor, encodeTensor, GGML_TYPE } from '../../engine/io/gguf-quant.ts';
import { planBlocks } from '../../engine/io/gguf-blocks.ts';
import { preTokenizerName } from '../../engine/io/gguf-tokenizer.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';
import type { LlamaConfig } from '../../engine/model/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'trimllm-gguf-unit-'));
const meta = new Map<string, GgufValue>([['general.architecture', { type: 'string', value: 'llama' }]]);

test('header, metadata and tensor data offsets follow gguf.md (v3, 32-byte aligned data)', () => {
  const path = join(dir, 'ok.gguf');
  const a = { name: 'a', dims: [3], type: GGML_TYPE.F32, data: new Uint8Array(new Float32Array([1, 2, 3]).buffer) };
  const b = { name: 'b', dims: [2], type: GGML_TYPE.F32, data: new Uint8Array(new Float32Array([4, 5]).buffer) };
  const size = writeGguf(path, meta, [a, b]);
  const buf = readFileSync(path);
  assert.equal(buf.length, size);
  assert.equal(buf.toString('latin1', 0, 4), 'GGUF');
  assert.equal(buf.readUInt32LE(4), 3);
  assert.equal(buf.readBigUInt64LE(8), 2n, 'tensor count');
  assert.equal(buf.readBigUInt64LE(16), 2n, 'metadata count (general.alignment added)');
  // Tensor b starts at the next multiple of 32 after a's 12 bytes; the file ends at b's aligned end.
  const dataStart = size - 2 * GGUF_ALIGNMENT;
  assert.equal(dataStart % GGUF_ALIGNMENT, 0);
  assert.equal(buf.readFloatLE(dataStart + 8), 3);
  assert.equal(buf.readFloatLE(dataStart + GGUF_ALIGNMENT), 4);
});

test('a tensor name longer than 63 bytes, an empty name, a zero dimension or a duplicate is refused by name', () => {
  const t = (name: string, dims = [1]) => ({ name, dims, type: GGML_TYPE.F32, data: new Uint8Array(4) });
  const long = `blk.0.${'x'.repeat(60)}.weight`;
  assert.throws(() => writeGguf(join(dir, 'long.gguf'), meta, [t(long)]), new RegExp(`"${long}" is 73 bytes; ggml allows 1 to 63`));
  assert.throws(() => writeGguf(join(dir, 'e.gguf'), meta, [t('')]), /is 0 bytes/);
  assert.throws(() => writeGguf(join(dir, 'z.gguf'), meta, [t('w', [4, 0])]), /"w" has dimensions \[4, 0\]/);
  assert.throws(() => writeGguf(join(dir, 'd.gguf'), meta, [t('w'), t('w')]), /"w" is written twice/);
  assert.equal(existsSync(join(dir, 'long.gguf')), false, 'nothing written for a refused tensor');
});

test('Q8_0 and Q4_0 blocks: ggml reference quantizers, error within a step; F16 fallback for rows not of 32', () => {
  const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * (i < 32 ? 1 : 0.01));
  const q8 = encodeTensor(x, 64, 'Q8_0');
  assert.equal(q8.data.length, 2 * 34);
  assert.equal(new DataView(q8.data.buffer).getInt8(2 + 11), -127, 'sin(11) ≈ -1, the largest |x| of block 0, maps to -127');
  const back8 = decodeTensor(q8.data, q8.type, 64);
  for (let i = 0; i < 64; i++) {
    const step = (i < 32 ? 1 : 0.01) / 127;
    assert.ok(Math.abs(back8[i]! - x[i]!) <= step * 0.5 + 1e-3 * step, `Q8_0 value ${i}`);
  }
  const q4 = encodeTensor(x, 32, 'Q4_0');
  assert.equal(q4.data.length, 2 * 18);
  const back4 = decodeTensor(q4.data, q4.type, 64);
  // d = m / -8 (m the signed extreme): half a step on m's side; the opposite extreme clamps at q = 15, within a step.
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(back4[i]! - x[i]!) <= ((i < 32 ? 1 : 0.01) / 8) * 1.01, `Q4_0 value ${i}`);
  const odd = encodeTensor(new Float32Array(2 * 33).fill(0.5), 33, 'Q8_0');
  assert.equal(odd.type, GGML_TYPE.F16);
  assert.match(odd.fallback!, /row length 33 is not a multiple of 32: written as F16 instead of Q8_0/);
  assert.deepEqual(Array.from(decodeTensor(odd.data, odd.type, 66)), new Array(66).fill(0.5));
  assert.throws(() => encodeTensor(new Float32Array(10), 3, 'F32'), /10 values does not split into rows of 3/);
});

const config = { nLayers: 4, nHeads: 8, nKvHeads: 4, hiddenDim: 172 } as LlamaConfig;
test('block plan: stand-ins for an MLP under a kept attention and a missing first attention; empty blocks left out', () => {
  assert.equal(planBlocks(config, keepMaskWithout(4, [])).architecture, 'llama');
  const plan = planBlocks(config, keepMaskWithout(4, ['attn0', 'attn2', 'mlp2', 'mlp3']));
  assert.equal(plan.architecture, 'deci');
  assert.deepEqual(plan.blocks.map((b) => [b.source, b.heads, b.kvHeads, b.ffLength]), [[0, 1, 1, 172], [1, 8, 4, 172], [3, 8, 4, 32]]);
  assert.deepEqual(plan.standIns, ['attn0', 'mlp3']);
  const plain = planBlocks(config, keepMaskWithout(4, ['attn0', 'attn2', 'mlp2', 'mlp3']), false);
  assert.deepEqual(plain.blocks.map((b) => [b.heads, b.ffLength]), [[0, 172], [8, 172], [0, 0], [8, 0]]);
  assert.deepEqual(plain.standIns, []);
  assert.throws(() => planBlocks(config, new Array(8).fill(false)), /every sub-layer is dropped/);
  assert.throws(() => planBlocks(config, [true]), /keep mask has 1 entries; the model has 8/);
});

test('pre-tokenizer names: SmolLM2, GPT-2, Llama 3, Qwen2; an unknown one is refused naming the file', () => {
  const byteLevel = { type: 'ByteLevel', use_regex: true };
  assert.equal(preTokenizerName({ type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel] }, 't.json'), 'smollm');
  assert.equal(preTokenizerName(byteLevel, 't.json'), 'gpt-2');
  const split = (Regex: string) => ({ type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex } }, byteLevel] });
  assert.equal(preTokenizerName(split("(?i:'s|'t)|\\p{N}{1,3}| ?x"), 't.json'), 'llama-bpe');
  assert.equal(preTokenizerName(split("(?i:'s|'t)|\\p{N}| ?x"), 't.json'), 'qwen2');
  assert.throws(() => preTokenizerName({ type: 'Whitespace' }, '/m/tokenizer.json'), /\/m\/tokenizer\.json.*Whitespace has no llama\.cpp equivalent/);
});
