import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { generate } from '../../engine/model/generate.ts';
import { scoreContinuation } from '../../engine/eval/loglikelihood.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { loadStories, storiesReference as ref } from '../helpers/shared.ts';

let loaded: LoadedModel;
before(async () => {
  loaded = await loadStories('wasm');
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
