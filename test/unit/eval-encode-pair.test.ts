// Issue 11, defect 2: a continuation whose first characters merge with the end of the context into one token
// ("Once upon a ti" + "me" → "time") still gets at least one token: the split moves left to the last token the
// context's own encoding shares with the whole (lm-evaluation-harness `_encode_pair`, its PR #4055 edge case).
// Training and scoring examples (engine/data/tokenize.ts) follow the same rule at every join.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePair } from '../../engine/eval/encode-pair.ts';
import { encodeScoringExample, encodeTrainingExample } from '../../engine/data/tokenize.ts';
import { evaluateMultipleChoice } from '../../engine/eval/multiple-choice.ts';
import { scoreContinuation } from '../../engine/eval/loglikelihood.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import type { Tokenizer } from '../../engine/io/tokenizer.ts';
import { runCli } from '../helpers/cli.ts';
import { loadStories, STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';

let loaded: LoadedModel;
let tok: Tokenizer;
before(async () => {
  loaded = await loadStories('wasm');
  tok = loaded.tokenizer!;
});
after(() => loaded.model.dispose());

test('a token spanning the join: the continuation keeps it, the context ids are a prefix of the whole', () => {
  const whole = tok.encode('Once upon a time');
  const own = tok.encode('Once upon a ti');
  assert.notDeepEqual(own, whole.slice(0, own.length), 'the input really has a token spanning the join');
  const { contextIds, continuationIds } = encodePair(tok, 'Once upon a ti', 'me');
  assert.ok(continuationIds.length >= 1);
  assert.deepEqual([...contextIds, ...continuationIds], whole);
  assert.deepEqual(contextIds, whole.slice(0, contextIds.length));
  assert.equal(tok.decode(contextIds, { skipSpecialTokens: true }), 'Once upon a');
  assert.equal(tok.decode(continuationIds, { skipSpecialTokens: true }).trim(), 'time');
  // No token spans the join: the split is where the context's own encoding ends, as before.
  const plain = encodePair(tok, 'Once upon a', ' time');
  assert.deepEqual(plain.contextIds, tok.encode('Once upon a'));
  assert.deepEqual([...plain.contextIds, ...plain.continuationIds], whole);
});

test('a multiple-choice item with such a choice is scored with the others', async () => {
  const items = [
    { context: 'Once upon a ti', continuations: ['me', 'ger'], gold: 0 },
    { context: 'The dog was very', continuations: [' happy', ' sad'], gold: 0 },
  ];
  const r = await evaluateMultipleChoice(loaded.model, tok, items, { targetDelimiter: '' });
  assert.equal(r.n, 2);
  const { contextIds, continuationIds } = encodePair(tok, 'Once upon a ti', 'me');
  const one = await scoreContinuation(loaded.model, contextIds, continuationIds);
  assert.ok(Math.abs(r.loglikelihoods[0]![0]! - one.loglikelihood) < 1e-4);
  assert.ok(r.loglikelihoods.flat().every((ll) => Number.isFinite(ll) && ll < 0));
});

test('trimllm score --context "Once upon a ti" --continuation "me" scores one token', () => {
  const r = runCli(['score', '--model', STORIES_BIN, '--tokenizer', STORIES_TOK, '--context', 'Once upon a ti', '--continuation', 'me', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { loglikelihood: number; tokens: number };
  assert.equal(out.tokens, 1);
  assert.ok(Number.isFinite(out.loglikelihood) && out.loglikelihood < 0);
});

test('training examples: a token spanning a segment join is the later segment\'s, and the ids spell the whole text', () => {
  const example = {
    prompt: 'Once upon a ti', target: 'me', eos: true, format: 'plain' as const,
    segments: [{ text: 'Once upon a ti', loss: false, eos: false }, { text: 'me', loss: true, eos: true }],
  };
  const enc = encodeTrainingExample(tok, example, 512);
  const whole = tok.encode('Once upon a time');
  assert.deepEqual(enc.ids, [...whole, tok.eosIds[0]!]);
  assert.deepEqual(enc.loss, [...whole.map((_, i) => i === whole.length - 1), true]);
  // Scoring examples share the same rule: the choice keeps the spanning token.
  const scoring = encodeScoringExample(tok, { context: 'Once upon a ti', continuations: ['me', 'ger'], choices: ['me', 'ger'], gold: 0 }, 512);
  assert.deepEqual([...scoring.context, ...scoring.continuations[0]!], whole);
  assert.ok(scoring.continuations.every((c) => c.length >= 1));
});
