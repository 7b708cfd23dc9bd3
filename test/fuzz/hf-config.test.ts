// Fuzz: Hugging Face config.json (engine/io/hf-config.ts parseConfigJsonText + parseHfConfig, and the recorded
// keep mask, keep-mask-config.ts): byte mutations and structural edits of real configs (TinyLlama, SmolLM2,
// Llama 3.2, GPT-2) and of an exported trimmed config. Every case gives a valid LlamaConfig and keep mask or an
// InputFileError naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { hfConfigFromLlama, parseConfigJsonText, parseHfConfig } from '../../engine/io/hf-config.ts';
import { keepMaskFields, keepMaskFromConfig } from '../../engine/io/keep-mask-config.ts';
import { validateConfig } from '../../engine/model/config.ts';
import { sharedPath } from '../helpers/shared.ts';
import { fuzz, inputFileProblem, JSON_TOKENS, mutatedBytes, mutatedJson } from './harness.ts';

const FILE = 'fuzz/model/config.json';
const real = ['TinyLlama-1.1B-Chat-v1.0', 'SmolLM2-135M-Instruct', 'Llama-3.2-1B-Instruct', 'gpt2'].map(
  (name) => JSON.parse(readFileSync(sharedPath(`tokenizers/${name}/config.json`), 'utf8')) as Record<string, unknown>,
);
const tiny = parseHfConfig(real[0], FILE);
const trimmed = { ...hfConfigFromLlama({ ...tiny, nLayers: 3 }), ...keepMaskFields([true, false, true, true, false, true]) };
const SEEDS: unknown[] = [...real, trimmed];

/** Parses like readHfFolder does; an accepted config must pass validateConfig and give a 2L keep mask. */
function load(text: string): void {
  const json = parseConfigJsonText(text, FILE);
  const config = parseHfConfig(json, FILE);
  validateConfig(config, FILE);
  const keep = keepMaskFromConfig(json, config.nLayers, FILE);
  assert.equal(keep.length, 2 * config.nLayers);
}

test('fuzz: config.json — malformed configs are refused with an InputFileError naming the file', { timeout: 120_000 }, async (t) => {
  const bytes = SEEDS.map((s) => new TextEncoder().encode(JSON.stringify(s, null, 2)));
  const arb = fc.oneof(
    { weight: 3, arbitrary: mutatedJson(SEEDS) },
    { weight: 1, arbitrary: mutatedBytes(bytes, JSON_TOKENS).map((b) => new TextDecoder().decode(b)) },
  );
  const stats = await fuzz(t, arb, load, (e) => inputFileProblem(e, FILE));
  assert.ok(stats.rejected > 0 && stats.accepted > 0);
});
