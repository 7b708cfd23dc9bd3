import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { evaluateMultipleChoice } from '../../engine/eval/multiple-choice.ts';
import { fitPairToContext, scorePairs } from '../../engine/eval/batch-score.ts';
import { scoreContinuation } from '../../engine/eval/loglikelihood.ts';
import { encodePair } from '../../engine/eval/encode-pair.ts';
import { evaluateTextTokens } from '../../engine/eval/text-tokens.ts';
import { benchmarkThroughput } from '../../engine/eval/throughput.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import type { Tokenizer } from '../../engine/io/tokenizer.ts';
import { loadStories } from '../helpers/shared.ts';

let loaded: LoadedModel;
let tok: Tokenizer;
before(async () => {
  loaded = await loadStories('wasm');
  tok = loaded.tokenizer!;
});
after(() => loaded.model.dispose());

const items = [
  { context: 'Once upon a time, there was a little girl named', continuations: [' Lily', ' Tom', ' a big red ball'], gold: 0 },
  { context: 'The dog was very', continuations: [' happy', ' sad.', ' yes', ' no'], gold: 0 },
  { context: 'Tim and Sue went to the park. They saw a', continuations: [' bird', ' tree', ' cat'], gold: 2 },
];

test('batched multiple-choice loglikelihoods equal scoreContinuation (1e-4)', async () => {
  const result = await evaluateMultipleChoice(loaded.model, tok, items, { batchSize: 3 });
  const keep = keepMaskWithout(5, ['attn2', 'mlp4']);
  const trimmed = await evaluateMultipleChoice(loaded.model, tok, items, { batchSize: 4, keep });
  for (const [i, item] of items.entries()) {
    for (const [c, cont] of item.continuations.entries()) {
      const { contextIds, continuationIds } = encodePair(tok, item.context, cont);
      const one = await scoreContinuation(loaded.model, contextIds, continuationIds);
      assert.ok(Math.abs(result.loglikelihoods[i]![c]! - one.loglikelihood) < 1e-4, `item ${i} choice ${c}`);
      const oneTrimmed = await scoreContinuation(loaded.model, contextIds, continuationIds, keep);
      assert.ok(Math.abs(trimmed.loglikelihoods[i]![c]! - oneTrimmed.loglikelihood) < 1e-4, `trimmed ${i}/${c}`);
    }
  }
  assert.equal(result.n, 3);
  assert.equal(result.truncated, 0);
  assert.ok(result.acc >= 0 && result.acc <= 1 && result.accNorm >= 0 && result.accNorm <= 1);
  assert.ok(Number.isFinite(result.accStderr));
  assert.equal(result.predictions.length, 3);
});

test('scorePairs reports isGreedy and token counts like scoreContinuation', async () => {
  const pairs = [encodePair(tok, 'Once upon a time', ' there was'), encodePair(tok, 'The cat', ' sat on the mat')];
  const batched = await scorePairs(loaded.model, pairs, { batchSize: 2 });
  for (const [i, p] of pairs.entries()) {
    const one = await scoreContinuation(loaded.model, p.contextIds, p.continuationIds);
    assert.equal(batched[i]!.isGreedy, one.isGreedy);
    assert.equal(batched[i]!.tokens, one.tokens);
  }
});

/** A character-level stand-in tokenizer (BOS = 1, one id per character): fast on long texts. */
const charTokenizer: Tokenizer = {
  vocabSize: 512,
  bosId: 1,
  eosIds: [2],
  encode: (text, o) => [...(o?.addSpecialTokens === false ? [] : [1]), ...[...text].map((ch) => 3 + (ch.codePointAt(0)! % 500))],
  decode: () => '',
  applyChatTemplate: () => null,
};

test('an over-long context is truncated from the left (BOS kept), counted, and scored', async () => {
  const long = 'Once upon a time, there was a little dog. '.repeat(15); // 630 characters = 631 tokens
  const mixed = [{ context: long, continuations: [' He', ' She'], gold: 0 }, { context: 'The dog', continuations: [' ran'], gold: 0 }];
  const progress: number[] = [];
  const r = await evaluateMultipleChoice(loaded.model, charTokenizer, mixed, { onProgress: (d) => progress.push(d) });
  assert.equal(r.truncated, 1);
  assert.equal(r.n, 2);
  assert.ok(r.loglikelihoods.flat().every(Number.isFinite));
  assert.equal(progress.at(-1), 3);
  const fitted = fitPairToContext(encodePair(charTokenizer, long, ' She'), 512, 1);
  assert.equal(fitted.truncated, true);
  assert.equal(fitted.pair.contextIds[0], 1);
  assert.equal(fitted.pair.contextIds.length + fitted.pair.continuationIds.length - 1, 512);
  const original = encodePair(charTokenizer, long, ' She').contextIds;
  assert.deepEqual(fitted.pair.contextIds.slice(1), original.slice(original.length - (fitted.pair.contextIds.length - 1)));
  // the truncated pair scores the same as scoreContinuation on the same truncated ids
  const one = await scoreContinuation(loaded.model, fitted.pair.contextIds, fitted.pair.continuationIds);
  assert.ok(Math.abs(r.loglikelihoods[0]![1]! - one.loglikelihood) < 1e-4);
  assert.throws(() => fitPairToContext({ contextIds: [1], continuationIds: new Array(513).fill(5) }, 512, 1), /shorten/);
});

test('bad items and an aborted signal throw', async () => {
  await assert.rejects(evaluateMultipleChoice(loaded.model, tok, []), /no multiple-choice/);
  await assert.rejects(evaluateMultipleChoice(loaded.model, tok, [{ context: 'a', continuations: [' b'], gold: 1 }]), /gold/);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(evaluateMultipleChoice(loaded.model, tok, items, { signal: controller.signal }), { name: 'AbortError' });
});

function logSoftmaxRow(row: Float32Array): number[] {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Array.from(row, (v) => v - lse);
}

test('text-token accuracy, mean NLL and perplexity match a plain-JS computation from the logits', async () => {
  const a = tok.encode('Once upon a time, there was a little girl named Lily. She liked to play.');
  const b = tok.encode('The sun was hot.');
  const examples = [
    { inputIds: a, lossMask: a.map((_, i) => (i >= 5 ? 1 : 0)) },
    { inputIds: b, lossMask: b.map((_, i) => (i % 2 === 0 ? 1 : 0)) }, // lossMask[0] = 1 is ignored
  ];
  let nll = 0;
  let hits = 0;
  let count = 0;
  const V = loaded.model.config.vocabSize;
  for (const ex of examples) {
    const ids = tf.tensor2d([ex.inputIds], undefined, 'int32');
    const { logits } = loaded.model.forward(ids);
    const values = (await logits.data()) as Float32Array;
    tf.dispose([ids, logits]);
    for (let i = 1; i < ex.inputIds.length; i++) {
      if (!ex.lossMask[i]) continue;
      const row = values.subarray((i - 1) * V, i * V);
      const lp = logSoftmaxRow(row);
      nll -= lp[ex.inputIds[i]!]!;
      hits += lp.indexOf(Math.max(...lp)) === ex.inputIds[i] ? 1 : 0;
      count++;
    }
  }
  const r = await evaluateTextTokens(loaded.model, examples, { batchSize: 2 });
  assert.equal(r.tokens, count);
  assert.equal(r.examples, 2);
  assert.ok(Math.abs(r.meanNll - nll / count) < 1e-4, `${r.meanNll} vs ${nll / count}`);
  assert.ok(Math.abs(r.perplexity - Math.exp(nll / count)) / r.perplexity < 1e-4);
  assert.equal(r.accuracy, hits / count);
  await assert.rejects(evaluateTextTokens(loaded.model, [{ inputIds: [1, 2], lossMask: [1, 0] }]), /no target/);
  await assert.rejects(evaluateTextTokens(loaded.model, [{ inputIds: [1, 2], lossMask: [1] }]), /loss-mask/);
});

test('no tensor leaks: multiple choice, text tokens, throughput', async () => {
  const before = tf.memory().numTensors;
  await evaluateMultipleChoice(loaded.model, tok, items, { batchSize: 5 });
  assert.equal(tf.memory().numTensors, before, 'multiple choice');
  await evaluateTextTokens(loaded.model, [{ inputIds: [1, 400, 20, 30], lossMask: [0, 1, 1, 1] }]);
  assert.equal(tf.memory().numTensors, before, 'text tokens');
  await benchmarkThroughput(loaded.model, { promptTokens: 16, newTokens: 8, runs: 2, warmup: 1 });
  assert.equal(tf.memory().numTensors, before, 'throughput');
});

test('throughput fields are positive and finite, and the trimmed model has fewer parameter bytes', async () => {
  const full = await benchmarkThroughput(loaded.model, { promptTokens: 32, newTokens: 16, runs: 3 });
  const keep = keepMaskWithout(5, ['attn1', 'mlp1', 'attn3', 'mlp3', 'attn4']);
  const trimmed = await benchmarkThroughput(loaded.model, { promptTokens: 32, newTokens: 16, runs: 3, keep });
  for (const r of [full, trimmed]) {
    for (const v of [r.prefillTokensPerSecond, r.decodeTokensPerSecond, r.paramBytes, r.flopsPerToken,
      r.spread.decodeTokensPerSecond.min, r.spread.decodeTokensPerSecond.max]) {
      assert.ok(Number.isFinite(v) && v > 0, String(v));
    }
  }
  assert.ok(trimmed.paramBytes < full.paramBytes);
  assert.ok(trimmed.flopsPerToken < full.flopsPerToken);
  await assert.rejects(benchmarkThroughput(loaded.model, { promptTokens: 500, newTokens: 100 }), /context/);
});
