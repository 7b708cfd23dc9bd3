// Truncation to the model's context length: left-truncate the context, keep BOS, count everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tokenizer } from '../../engine/io/tokenizer.ts';
import { toScoringExample, toTrainingExample } from '../../engine/data/prompts.ts';
import { encodeScoringExample, encodeTrainingExample } from '../../engine/data/tokenize.ts';
import { createTruncationReport, describeTruncation, fitContext, fitMasked, recordTruncation } from '../../engine/data/truncate.ts';
import type { McqRecord, NormalisedRecord } from '../../engine/data/types.ts';

const BOS = 1;
const EOS = 2;
/** Character-level tokenizer: id = code point + 3; BOS 1, EOS 2. */
const charTok: Tokenizer = {
  vocabSize: 0x110000 + 3,
  bosId: BOS,
  eosIds: [EOS],
  encode: (text, o) => [...(o?.addSpecialTokens === false ? [] : [BOS]), ...[...text].map((c) => c.codePointAt(0)! + 3)],
  decode: (ids, o) => ids.filter((i) => i > 2 || !o?.skipSpecialTokens).map((i) => (i === BOS ? '<s>' : i === EOS ? '</s>' : String.fromCodePoint(i - 3))).join(''),
  applyChatTemplate: () => null,
};
const text = (ids: readonly number[]): string => charTok.decode(ids);
const base = { id: 'r', source: { file: 'mem', row: 1 }, split: 'test' as const };

test('fitContext: fits already → unchanged, not truncated', () => {
  const r = fitContext([BOS, 10, 11], [[20], [21, 22]], 5, { bosId: BOS });
  assert.deepEqual(r, { context: [BOS, 10, 11], continuations: [[20], [21, 22]], contextTokensDropped: 0, continuationTokensDropped: 0, truncated: false });
});

test('fitContext: cuts the LEFT of the context, keeps BOS and the end next to the answer', () => {
  const ctx = [BOS, 10, 11, 12, 13, 14, 15];
  const r = fitContext(ctx, [[20, 21], [22]], 6, { bosId: BOS });
  assert.deepEqual(r.context, [BOS, 13, 14, 15]);
  assert.equal(r.contextTokensDropped, 3);
  assert.equal(r.truncated, true);
  assert.ok(r.context.length + 2 <= 6);
  const noBos = fitContext([10, 11, 12, 13], [[20]], 3);
  assert.deepEqual(noBos.context, [12, 13]);
  assert.deepEqual(ctx, [BOS, 10, 11, 12, 13, 14, 15], 'input untouched');
});

test('fitContext: an answer longer than the budget keeps BOS (or one context token) and its own beginning', () => {
  const r = fitContext([BOS, 10, 11], [[20, 21, 22, 23, 24], [25]], 4, { bosId: BOS });
  assert.deepEqual(r.context, [BOS]);
  assert.deepEqual(r.continuations, [[20, 21, 22], [25]]);
  assert.deepEqual([r.contextTokensDropped, r.continuationTokensDropped, r.truncated], [2, 2, true]);
  const noBos = fitContext([10, 11], [[20, 21, 22]], 2);
  assert.deepEqual([noBos.context, noBos.continuations], [[11], [[20]]]);
});

test('fitContext: edge cases do not crash; a bad maxLength is a RangeError', () => {
  assert.deepEqual(fitContext([], [[1, 2, 3]], 2).continuations, [[1, 2]]);
  assert.deepEqual(fitContext([BOS, 5], [], 2, { bosId: BOS }).context, [BOS, 5]);
  assert.deepEqual(fitContext([BOS, 5, 6], [], 2, { bosId: BOS }).context, [BOS, 6]);
  assert.throws(() => fitContext([1], [[1]], 1), RangeError);
  assert.throws(() => fitContext([1], [[1]], 2.5), RangeError);
});

test('fitMasked: drops the left (after BOS) but not the token before the last answer; then the right', () => {
  const ids = [BOS, 10, 11, 12, 13, 20, 21, 14, 22, 23];
  const loss = [false, false, false, false, false, true, true, false, true, true];
  const a = fitMasked(ids, loss, 7, { bosId: BOS });
  assert.deepEqual(a.ids, [BOS, 13, 20, 21, 14, 22, 23]);
  assert.deepEqual(a.loss, [false, false, true, true, false, true, true]);
  assert.deepEqual([a.leftDropped, a.rightDropped], [3, 0]);
  const b = fitMasked(ids, loss, 3, { bosId: BOS });
  assert.deepEqual(b.ids, [BOS, 14, 22]);
  assert.deepEqual([b.leftDropped, b.rightDropped], [6, 1]);
  assert.throws(() => fitMasked([1, 2], [true], 4), RangeError);
});

test('encodeScoringExample: harness-style continuation tokens; a long question is cut from the left', () => {
  const rec: McqRecord = { ...base, task: 'mcq', question: 'x'.repeat(50) + ' What is 2+2?', choices: ['four', 'five'], answer: 0 };
  const enc = encodeScoringExample(charTok, toScoringExample(rec), 24);
  assert.equal(enc.context[0], BOS);
  assert.equal(text(enc.context.slice(1)), 'What is 2+2?\nAnswer:'.slice(-(24 - 5 - 1)));
  assert.deepEqual(enc.continuations.map(text), [' four', ' five']);
  assert.ok(enc.context.length + 5 <= 24);
  const contextLength = 1 + 'Question: '.length + rec.question.length + '\nAnswer:'.length;
  assert.equal(enc.fit.contextTokensDropped, contextLength - (24 - 5)); // budget: 24 minus the longest continuation
});

test('encodeTrainingExample: loss mask on the target, EOS appended, BOS kept under truncation', () => {
  const rec: NormalisedRecord = { ...base, task: 'instruction', instruction: 'Say hi', input: '', output: 'hi' };
  const full = encodeTrainingExample(charTok, toTrainingExample(rec), 1000);
  assert.equal(full.ids[0], BOS);
  assert.equal(full.ids[full.ids.length - 1], EOS);
  assert.equal(text(full.ids.filter((_, i) => full.loss[i])), 'hi</s>');
  assert.equal(full.fit.truncated, false);
  const cut = encodeTrainingExample(charTok, toTrainingExample(rec), 10);
  assert.equal(cut.ids.length, 10);
  assert.equal(cut.ids[0], BOS);
  assert.equal(text(cut.ids.slice(1)), 'onse:\nhi</s>'); // the last 9 tokens: end of the prompt, target, EOS
  assert.equal(text(cut.ids.filter((_, i) => cut.loss[i])), 'hi</s>');
});

test('truncation report: counts truncated examples and dropped tokens over a dataset', () => {
  const report = createTruncationReport();
  const recs: McqRecord[] = ['short?', 'a much longer question that will not fit in the context?', 'tiny'].map((q) => ({ ...base, task: 'mcq', question: q, choices: ['yes', 'no'], answer: 0 }));
  for (const r of recs) recordTruncation(report, encodeScoringExample(charTok, toScoringExample(r), 32).fit);
  recordTruncation(report, fitContext([BOS, 3], [[1, 2, 3, 4]], 3, { bosId: BOS }));
  assert.equal(report.examples, 4);
  assert.equal(report.truncated, 2);
  assert.equal(report.answerTruncated, 1);
  assert.equal(report.answerTokensDropped, 2);
  assert.ok(report.contextTokensDropped > 30);
  assert.match(describeTruncation(report), /^2 of 4 examples truncated \(1 answer cut by 2 tokens; \d+ context tokens dropped\)$/);
  assert.equal(describeTruncation(createTruncationReport()), '0 of 0 examples truncated');
});
