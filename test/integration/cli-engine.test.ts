import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { STORIES_BIN, STORIES_TOK, storiesReference as ref } from '../helpers/shared.ts';

test('generate, greedy 200 tokens from BOS: stdout is the reference text byte for byte', () => {
  const r = runCli(['generate', '--model', STORIES_BIN, '--tokenizer', STORIES_TOK, '--temperature', '0', '--max-tokens', '200']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.endsWith('\n'));
  assert.equal(r.stdout.slice(0, -1), ref.greedy_200_tokens_after_bos);
  assert.match(r.stderr, /decode [\d.]+ tokens\/s/);
});

test('generate with --drop attn2 reproduces the reference 120-token text', () => {
  const r = runCli(['generate', '--model', STORIES_BIN, '--max-tokens', '120', '--drop', 'attn2']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.slice(0, -1), ref.greedy_120_tokens_after_bos_drop_attn2);
});

test('score --json prints the harness loglikelihood of " girl"', () => {
  const r = runCli(['score', '--model', STORIES_BIN, '--tokenizer', STORIES_TOK,
    '--context', 'Once upon a time, there was a little', '--continuation', ' girl', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { loglikelihood: number; is_greedy: boolean; tokens: number };
  const expected = ref.loglikelihood.find((x) => x.continuation_text === ' girl')!;
  assert.ok(Math.abs(out.loglikelihood - expected.loglikelihood) < 1e-4, String(out.loglikelihood));
  assert.equal(out.is_greedy, true);
  assert.equal(out.tokens, expected.continuation_ids.length);
});

test('inspect lists every sub-layer with parameters and the total', () => {
  const r = runCli(['inspect', STORIES_BIN, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { parameters: { subLayers: { name: string; parameters: number }[]; total: { parameters: number } } };
  assert.equal(out.parameters.subLayers.length, 10);
  // attention: one RMSNorm gain (64) + q,o (64×64 each) + k,v (64×32 each: 4 kv heads of 8) = 12,352
  assert.equal(out.parameters.subLayers[0]!.parameters, 64 + 2 * 64 * 64 + 2 * 64 * 32);
  // MLP: one RMSNorm gain (64) + three 64×172 projections = 33,088
  assert.equal(out.parameters.subLayers[1]!.parameters, 64 + 3 * 64 * 172);
  assert.equal(out.parameters.total.parameters, 5 * (12352 + 33088) + 512 * 64 + 64);
});

test('doctor names the backend and why tensorflow was not used', () => {
  const r = runCli(['doctor']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /backend\s+wasm/);
  assert.match(r.stdout, /not used\s+tensorflow: @tensorflow\/tfjs-node/);
  assert.match(r.stdout, /^threads\s+[1-9]\d* \(a run's scans and training steps/m);
  assert.match(r.stdout, /^better-sqlite3-multiple-ciphers\s+\d/m); // the longest name keeps a space before its version
});

test('errors: missing model, bad --drop, unknown flag, unknown command', () => {
  const missing = runCli(['generate', '--model', 'nope.bin']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.bin: no such file or folder/);
  const badDrop = runCli(['generate', '--model', STORIES_BIN, '--drop', 'attn7']);
  assert.equal(badDrop.status, 2);
  assert.match(badDrop.stderr, /attn7.*5 layers/);
  const flag = runCli(['generate', '--model', STORIES_BIN, '--temprature', '0']);
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /temprature/);
  assert.equal(runCli(['frobnicate']).status, 2);
});
