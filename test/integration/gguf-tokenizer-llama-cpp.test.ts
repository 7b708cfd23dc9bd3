// Issue 12: a byte-level BPE vocabulary (SmolLM2-135M's tokenizer.json) exported as GGUF `gpt2` (tokens, merges,
// pre-tokenizer `smollm`) with a random-weight model, loaded by llama.cpp: its tokenization of the 12 strings of
// reference/tokenizers.json equals ours (and the reference's). The model keeps SmolLM2's vocabulary, RoPE base and
// norm epsilon but is shrunk to 2 blocks of width 64 so the test stays fast (the tokenizer does not depend on it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../engine/backend/select.ts';
import { randomModel } from '../../engine/bench/random-weights.ts';
import { exportGguf } from '../../engine/io/gguf-export.ts';
import { loadHfTokenizer } from '../../engine/io/hf-tokenizer.ts';
import { parseHfConfig } from '../../engine/io/hf-config.ts';
import { LlamaCppModel } from '../../engine/runtime/llama-cpp.ts';
import { sharedPath } from '../helpers/shared.ts';

const FOLDER = sharedPath('tokenizers/SmolLM2-135M-Instruct');
const REFERENCE = JSON.parse(readFileSync(sharedPath('reference/tokenizers.json'), 'utf8')) as {
  models: Record<string, { encode: { text: string; ids_without_special: number[] }[] }>;
};

test('SmolLM2 tokenizer exported as GGUF gpt2: llama.cpp tokenizes 12 strings as we do', async () => {
  await selectBackend('wasm');
  const tokenizer = loadHfTokenizer(FOLDER);
  const full = parseHfConfig(JSON.parse(readFileSync(join(FOLDER, 'config.json'), 'utf8')), join(FOLDER, 'config.json'));
  const model = randomModel({ ...full, dim: 64, hiddenDim: 128, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 16, maxSeqLen: 256 });
  const path = join(mkdtempSync(join(tmpdir(), 'trimllm-gguf-tok-')), 'smollm2-random.gguf');
  try {
    await exportGguf(model, tokenizer, FOLDER, path, { dtype: 'F16' });
  } finally {
    model.dispose();
  }
  const llama = await LlamaCppModel.open(path, { contextSize: 64 });
  try {
    const cases = REFERENCE.models['SmolLM2-135M-Instruct']!.encode;
    assert.equal(cases.length, 12);
    for (const c of cases) {
      const ours = tokenizer.encode(c.text, { addSpecialTokens: false });
      assert.deepEqual(ours, c.ids_without_special, `our tokenizer on ${JSON.stringify(c.text)}`);
      assert.deepEqual(llama.tokenize(c.text), ours, `llama.cpp on ${JSON.stringify(c.text)}`);
    }
  } finally {
    await llama.dispose();
  }
});
