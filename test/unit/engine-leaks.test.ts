import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { generate } from '../../engine/model/generate.ts';
import { scoreContinuation } from '../../engine/eval/loglikelihood.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { createKvCache, disposeKvCache } from '../../engine/model/kv-cache.ts';
import { Trainer } from '../../engine/train/trainer.ts';
import { makeBatch } from '../../engine/train/batch.ts';
import { randomTokenExamples } from '../../engine/bench/measure.ts';
import { scanSubLayers } from '../../engine/trim/importance.ts';
import { performance } from '../../engine/trim/measure.ts';
import { loadStories, storiesReference as ref } from '../helpers/shared.ts';

let loaded: LoadedModel;
before(async () => {
  loaded = await loadStories('wasm');
  const ids = tf.tensor2d([[1, 2]], undefined, 'int32');
  tf.dispose([ids, loaded.model.forward(ids).logits]); // builds the fused inference copies (llama.ts derived)
});

test('100 decode steps: constant tensor count, KV cache written in place, logits equal a full forward pass', async () => {
  const { model } = loaded;
  const before = tf.memory().numTensors;
  const cache = createKvCache(model.config.nLayers);
  const sequence = [1];
  const counts: number[] = [];
  let last: Float32Array | null = null;
  for (let step = 0; step <= 100; step++) {
    const ids = tf.tensor2d([sequence.slice(-1)], [1, 1], 'int32');
    const { logits } = model.forward(ids, { cache, lastPositionOnly: true });
    last = (await logits.data()) as Float32Array;
    tf.dispose([ids, logits]);
    counts.push(tf.memory().numTensors);
    sequence.push((sequence.length * 37) % 512);
  }
  // 2 buffers per block + the step mask; reallocated (same count) at 64 and 128 positions.
  assert.equal(counts[100], before + 2 * model.config.nLayers + 1);
  assert.deepEqual(new Set(counts.slice(1)), new Set([counts[100]]), 'same count after every step');
  assert.equal(cache.stats.inPlaceWrites, 2 * model.config.nLayers * 101, 'every step wrote keys and values in place');
  assert.equal(cache.stats.reallocations, 2);
  disposeKvCache(cache);
  assert.equal(tf.memory().numTensors, before, 'cache freed');
  const ids = tf.tensor2d([sequence.slice(0, 101)], undefined, 'int32');
  const { logits } = model.forward(ids, { lastPositionOnly: true });
  const full = (await logits.data()) as Float32Array;
  tf.dispose([ids, logits]);
  const maxDiff = full.reduce((m, v, i) => Math.max(m, Math.abs(v - last![i]!)), 0);
  assert.ok(maxDiff < 1e-4, `decode logits differ from the full pass by ${maxDiff}`);
});

test('a training step and a scan leave no tensors behind', async () => {
  const { model } = loaded;
  const before = tf.memory().numTensors;
  const trainer = new Trainer(model, { trainable: { subLayers: ['attn1', 'mlp3'] } });
  const batch = makeBatch(randomTokenExamples(2, 16, 512, 3));
  await trainer.trainStep([batch], 0);
  const afterOne = tf.memory().numTensors;
  await trainer.trainStep([batch], 0);
  assert.equal(tf.memory().numTensors, afterOne, 'a second step adds nothing');
  trainer.dispose();
  const ids = tf.tensor2d([[1, 2]], undefined, 'int32');
  tf.dispose([ids, model.forward(ids).logits]); // fused copies are freed while training and rebuilt here
  assert.equal(tf.memory().numTensors, before, 'training');
  const data = { kind: 'tokens' as const, examples: randomTokenExamples(3, 12, 512, 4) };
  const keep = model.keepMask;
  await scanSubLayers(model, keep, (k) => performance(model, loaded.tokenizer!, data, k), new Map());
  assert.equal(tf.memory().numTensors, before, 'scan');
});
after(() => loaded.model.dispose());

test('no tensor leaks: forward, scoring, 20-token generation', async () => {
  const before = tf.memory().numTensors;
  const ids = tf.tensor2d([ref.prompt_ids], undefined, 'int32');
  const r = loaded.model.forward(ids, { collectSubLayerOutputs: true });
  tf.dispose([ids, r.logits, ...r.subLayerOutputs!.values()]);
  assert.equal(tf.memory().numTensors, before, 'forward');
  const ll = ref.loglikelihood[0]!;
  await scoreContinuation(loaded.model, ll.context_ids, ll.continuation_ids);
  assert.equal(tf.memory().numTensors, before, 'scoring');
  const stream = generate(loaded.model, loaded.tokenizer!, [1], { maxTokens: 20 });
  let step = await stream.next();
  while (!step.done) step = await stream.next();
  assert.equal(step.value.tokenIds.length, 20);
  assert.equal(tf.memory().numTensors, before, 'generation');
});

test('generation streams the same text it returns, and stops at a stop string', async () => {
  let streamed = '';
  const stream = generate(loaded.model, loaded.tokenizer!, [1], { maxTokens: 60, stopStrings: ['Lily'] });
  let step = await stream.next();
  while (!step.done) {
    streamed += step.value.text;
    step = await stream.next();
  }
  assert.equal(step.value.reason, 'stop_string');
  assert.equal(streamed, step.value.text);
  assert.equal(streamed, 'Once upon a time, there was a little girl named ');
});

test('an aborted signal stops generation and frees the cache', async () => {
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  const stream = generate(loaded.model, loaded.tokenizer!, [1], { maxTokens: 50, signal: controller.signal });
  await stream.next();
  controller.abort();
  let step = await stream.next();
  while (!step.done) step = await stream.next();
  assert.equal(step.value.reason, 'aborted');
  assert.equal(step.value.tokenIds.length, 1);
  assert.equal(tf.memory().numTensors, before);
});
