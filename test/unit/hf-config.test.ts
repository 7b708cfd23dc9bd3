// Hugging Face config.json → LlamaConfig (engine/io/hf-config.ts): real configs, defaults, refusals, export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputFileError } from '../../engine/io/errors.ts';
import { hfConfigFromLlama, loadHfConfig, parseHfConfig } from '../../engine/io/hf-config.ts';

const tokenizers = fileURLToPath(new URL('../../../shared/tokenizers/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trimllm-hf-config-'));
const FILE = '/models/x/config.json';

/** A minimal valid Llama config.json, with `changes` applied (undefined deletes a field). */
function llama(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 64, intermediate_size: 172,
    num_hidden_layers: 5, num_attention_heads: 8, num_key_value_heads: 4, vocab_size: 512,
    max_position_embeddings: 512, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: true,
  };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

/** Asserts an InputFileError naming `file` whose message matches `problem`. */
function assertInputError(fn: () => unknown, file: string, problem: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputFileError, `expected InputFileError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.ok(e.message.startsWith(`${file}: `), e.message);
    assert.match(e.message, problem);
    return true;
  });
}

test('SmolLM2-135M-Instruct config.json', () => {
  assert.deepEqual(loadHfConfig(join(tokenizers, 'SmolLM2-135M-Instruct')), {
    architecture: 'LlamaForCausalLM', dim: 576, hiddenDim: 1536, nLayers: 30, nHeads: 9, nKvHeads: 3, headDim: 64,
    vocabSize: 49152, maxSeqLen: 8192, normEps: 1e-5, ropeTheta: 100000, tiedEmbeddings: true, qkvBias: false,
  });
});

test('TinyLlama-1.1B-Chat-v1.0 config.json', () => {
  assert.deepEqual(loadHfConfig(join(tokenizers, 'TinyLlama-1.1B-Chat-v1.0')), {
    architecture: 'LlamaForCausalLM', dim: 2048, hiddenDim: 5632, nLayers: 22, nHeads: 32, nKvHeads: 4, headDim: 64,
    vocabSize: 32000, maxSeqLen: 2048, normEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: false, qkvBias: false,
  });
});

test('Llama-3.2-1B config.json is refused for its llama3 rope_scaling', () => {
  const dirPath = join(tokenizers, 'Llama-3.2-1B-Instruct');
  assertInputError(() => loadHfConfig(dirPath), join(dirPath, 'config.json'), /rope_scaling \{.*"rope_type":"llama3"\} is not supported/);
});

test('gpt2 config.json is refused as not a Llama-family decoder', () => {
  const dirPath = join(tokenizers, 'gpt2');
  assertInputError(() => loadHfConfig(dirPath), join(dirPath, 'config.json'),
    /architecture "GPT2LMHeadModel" is not a Llama-family decoder; supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM/);
});

test('defaults: nKvHeads = nHeads, headDim = dim / nHeads, eps 1e-6, theta 10000, untied', () => {
  const c = parseHfConfig(llama({
    num_key_value_heads: undefined, rms_norm_eps: undefined, rope_theta: undefined, tie_word_embeddings: undefined,
  }), FILE);
  assert.deepEqual([c.nKvHeads, c.headDim, c.normEps, c.ropeTheta, c.tiedEmbeddings], [8, 8, 1e-6, 10000, false]);
  assert.equal(parseHfConfig(llama({ head_dim: 16 }), FILE).headDim, 16);
});

test('Qwen2 has q/k/v bias; an unused sliding window is ignored', () => {
  const c = parseHfConfig(llama({
    architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', use_sliding_window: false, sliding_window: 32, max_position_embeddings: 512,
  }), FILE);
  assert.deepEqual([c.architecture, c.qkvBias, c.maxSeqLen], ['Qwen2ForCausalLM', true, 512]);
});

test('Mistral sliding window caps maxSeqLen (exact up to the window); model_type alone names the architecture', () => {
  const c = parseHfConfig(llama({ architectures: undefined, model_type: 'mistral', sliding_window: 128 }), FILE);
  assert.deepEqual([c.architecture, c.maxSeqLen, c.qkvBias], ['MistralForCausalLM', 128, false]);
});

test('config.json missing in the folder, or not JSON', () => {
  const missing = mkdtempSync(join(dir, 'missing-'));
  assertInputError(() => loadHfConfig(missing), join(missing, 'config.json'), /cannot read/);
  const bad = mkdtempSync(join(dir, 'bad-'));
  writeFileSync(join(bad, 'config.json'), '{"hidden_size": 64,');
  assertInputError(() => loadHfConfig(bad), join(bad, 'config.json'), /not valid JSON/);
});

const refused: [string, unknown, RegExp][] = [
  ['config not an object', [1, 2], /config must be a JSON object, got an array/],
  ['missing hidden_size', llama({ hidden_size: undefined }), /required field "hidden_size" is missing/],
  ['missing vocab_size and num_hidden_layers', llama({ vocab_size: undefined, num_hidden_layers: undefined }), /"num_hidden_layers" is missing.*"vocab_size" is missing/],
  ['fractional layer count', llama({ num_hidden_layers: 2.5 }), /field "num_hidden_layers": .*int.* \(got 2.5\)/],
  ['negative heads', llama({ num_attention_heads: -8 }), /field "num_attention_heads": .*\(got -8\)/],
  ['string hidden_size', llama({ hidden_size: '64' }), /field "hidden_size": .*\(got "64"\)/],
  ['unsupported architecture', llama({ architectures: ['BertForMaskedLM'] }), /architecture "BertForMaskedLM" is not a Llama-family decoder; supported:/],
  ['unsupported model_type', llama({ architectures: undefined, model_type: 'gemma' }), /model_type "gemma" is not a Llama-family decoder/],
  ['neither architectures nor model_type', llama({ architectures: undefined, model_type: undefined }), /has neither "architectures" nor "model_type"/],
  ['architectures empty', llama({ architectures: [] }), /"architectures" must be a non-empty array/],
  ['heads not dividing kv heads', llama({ num_attention_heads: 8, num_key_value_heads: 3 }), /nHeads \(8\) must be a multiple of nKvHeads \(3\)/],
  ['hidden_size not dividing into heads', llama({ hidden_size: 60 }), /hidden_size \(60\) is not divisible by num_attention_heads \(8\)/],
  ['odd head width', llama({ head_dim: 7 }), /headDim \(7\) must be even for RoPE/],
  ['linear rope_scaling', llama({ rope_scaling: { type: 'linear', factor: 2 } }), /rope_scaling \{"type":"linear","factor":2\} is not supported/],
  ['gelu activation', llama({ hidden_act: 'gelu' }), /hidden_act "gelu" is not supported/],
  ['mlp_bias', llama({ mlp_bias: true }), /mlp_bias: true is not supported/],
  ['Llama attention_bias (o_proj bias too)', llama({ attention_bias: true }), /attention_bias: true is not supported for LlamaForCausalLM/],
  ['zero rms_norm_eps', llama({ rms_norm_eps: 0 }), /field "rms_norm_eps"/],
];
for (const [name, json, problem] of refused) {
  test(`refused: ${name}`, () => assertInputError(() => parseHfConfig(json, FILE), FILE, problem));
}

test('hfConfigFromLlama round-trips through parseHfConfig (Llama and Qwen2)', () => {
  const smol = loadHfConfig(join(tokenizers, 'SmolLM2-135M-Instruct'));
  const exported = hfConfigFromLlama(smol);
  assert.deepEqual(exported.architectures, ['LlamaForCausalLM']);
  assert.equal(exported.hidden_size, 576);
  assert.deepEqual(parseHfConfig(exported, 'export'), smol);
  const qwen = parseHfConfig(llama({ architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2' }), FILE);
  const q = hfConfigFromLlama(qwen);
  assert.deepEqual([q.architectures, q.model_type, q.use_sliding_window], [['Qwen2ForCausalLM'], 'qwen2', false]);
  assert.deepEqual(parseHfConfig(JSON.parse(JSON.stringify(q)), 'export'), qwen);
});

test('a folder with only pytorch_model.bin gets the pickle message (convert to safetensors), not "no model.safetensors"', async () => {
  const { readHfFolder } = await import('../../engine/io/hf-folder.ts');
  const { mkdtempSync: mk, writeFileSync: wf } = await import('node:fs');
  const { tmpdir: tmp } = await import('node:os');
  const { join: j } = await import('node:path');
  const d = mk(j(tmp(), 'trimllm-pickle-folder-'));
  wf(j(d, 'config.json'), JSON.stringify(llama()));
  wf(j(d, 'pytorch_model.bin'), Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8]));
  assert.throws(() => readHfFolder(d), (e: Error) =>
    e.message.startsWith(`${j(d, 'pytorch_model.bin')}: is a PyTorch pickle checkpoint (raw pickle stream)`) && /Convert it to safetensors/.test(e.message) &&
    e.message.endsWith('the folder has no model.safetensors'));
});
