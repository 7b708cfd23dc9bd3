// Issue 12: `trimllm export --format gguf` writes the GGUF and a Modelfile, prints the Ollama line and LM Studio's
// folder; the file loads in llama.cpp and predicts what the engine predicts. Bad flags are usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LlamaCppModel } from '../../engine/runtime/llama-cpp.ts';
import { runCli } from '../helpers/cli.ts';
import { loadStories, STORIES_BIN } from '../helpers/shared.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';

test('trimllm export --format gguf --dtype Q8_0 --drop mlp2: GGUF + Modelfile, Ollama line, loads in llama.cpp', async () => {
  const out = mkdtempSync(join(tmpdir(), 'trimllm-cli-gguf-'));
  const r = runCli(['export', '--model', STORIES_BIN, '--drop', 'mlp2', '--format', 'gguf', '--dtype', 'Q8_0', '--name', 'stories', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const file = join(out, 'stories-Q8_0.gguf');
  assert.match(r.stdout, new RegExp(`wrote ${file} \\(Q8_0, [\\d.]+ KiB, dropped mlp2\\)`));
  assert.match(r.stdout, /row length 172 is not a multiple of 32: written as F16/, 'the F16 fallback of ffn_down is reported');
  assert.match(r.stdout, /no-op stand-ins for llama\.cpp: mlp2/);
  assert.match(r.stdout, /Ollama: {4}cd ".*" && ollama create stories -f stories-Q8_0\.Modelfile/);
  assert.match(r.stdout, /LM Studio: .*\.lmstudio\/models/);
  assert.equal(readFileSync(join(out, 'stories-Q8_0.Modelfile'), 'utf8'), 'FROM ./stories-Q8_0.gguf\nTEMPLATE """{{ .Prompt }}"""\nPARAMETER stop "</s>"\nPARAMETER stop "<s>"\n');
  const model = await LlamaCppModel.open(file, { contextSize: 64 });
  const engine = await loadStories('wasm');
  engine.model.keepMask = keepMaskWithout(engine.model.config.nLayers, ['mlp2']);
  try {
    const ids = engine.tokenizer!.encode('Once upon a time');
    const logp = await model.nextLogProbs(ids);
    const ours = tf.tidy(() => tf.logSoftmax(engine.model.forward(tf.tensor2d([ids], undefined, 'int32'), { lastPositionOnly: true }).logits.reshape([-1])).arraySync() as number[]);
    assert.equal(logp.length, 512);
    assert.equal(logp.indexOf(Math.max(...logp)), ours.indexOf(Math.max(...ours)), 'same most likely next token');
    assert.ok(ours.every((v, i) => Math.abs(v - logp[i]!) < 0.4), 'log-probabilities within the Q8_0 bound 0.4');
  } finally {
    await model.dispose();
    engine.model.dispose();
  }
  const again = runCli(['export', '--model', STORIES_BIN, '--format', 'gguf', '--dtype', 'Q8_0', '--name', 'stories', '--out', out]);
  assert.notEqual(again.status, 0, 'an existing file is not overwritten');
  assert.match(again.stderr, /stories-Q8_0\.gguf exists; choose a new file name/);
});

test('trimllm export: an unknown format or a dtype of the other format is a usage error', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'trimllm-cli-gguf-')), 'x');
  const bad = runCli(['export', '--model', STORIES_BIN, '--format', 'onnx', '--out', out]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format must be hf or gguf, got "onnx"/);
  const q = runCli(['export', '--model', STORIES_BIN, '--format', 'hf', '--dtype', 'Q4_0', '--out', out]);
  assert.equal(q.status, 2);
  assert.match(q.stderr, /--dtype for hf must be one of F32, BF16, got "Q4_0"/);
  assert.equal(existsSync(out), false);
});

test('trimllm export: an --out under a file names that file (not a bare ENOTDIR on a temporary path)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'trimllm-cli-gguf-')), 'notes.txt');
  writeFileSync(file, 'not a folder');
  for (const args of [['--out', join(file, 'model')], ['--format', 'gguf', '--out', join(file, 'x', 'm.gguf')]]) {
    const r = runCli(['export', '--model', STORIES_BIN, ...args]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')} is a file, not a folder; choose another place for the export`));
    assert.doesNotMatch(r.stderr, /ENOTDIR|EEXIST|partial/);
  }
  assert.equal(readFileSync(file, 'utf8'), 'not a folder');
});
