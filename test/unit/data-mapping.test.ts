// Detection on common layouts, explicit/partial mappings (CLI form and zod validation), normalisation misfits, splits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { detectMapping } from '../../engine/data/detect.ts';
import { DatasetMappingError } from '../../engine/data/errors.ts';
import { importDataset } from '../../engine/data/import.ts';
import { parseMapping, parseMappingArgs } from '../../engine/data/mapping.ts';
import { normaliseRecord } from '../../engine/data/normalise.ts';
import { assignSplits, canonicalSplit, seededPermutation } from '../../engine/data/split.ts';
import type { McqRecord, RawRecord } from '../../engine/data/types.ts';

const ds = (p: string): string => fileURLToPath(new URL(`../../../shared/datasets/${p}`, import.meta.url));
const raw = (...rows: Record<string, unknown>[]): RawRecord[] => rows.map((fields, i) => ({ fields, loc: { file: 'mem.jsonl', row: i + 1, line: i + 1 } }));

test('detect: OpenAI messages → chat with role/content', () => {
  const p = detectMapping(raw({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }] }), 'm');
  assert.deepEqual(p.mapping, { task: 'chat', messages: 'messages', roleKey: 'role', contentKey: 'content', roles: { system: 'system', user: 'user', assistant: 'assistant' } });
});

test('detect: ARC-style nested choices with answerKey letters; SciQ distractors; choices array with text answers', () => {
  const arc = detectMapping(raw({ question: 'q', choices: { text: ['a', 'b', 'c'], label: ['A', 'B', 'C'] }, answerKey: 'C' }), 'arc');
  assert.deepEqual(arc.mapping, { task: 'mcq', question: 'question', choices: ['choices.text'], answer: 'answerKey', answerFormat: 'letter' });
  const sciq = detectMapping(raw({ question: 'q', distractor1: 'x', distractor2: 'y', distractor3: 'z', correct_answer: 'w', support: '' }), 'sciq');
  assert.deepEqual(sciq.mapping, { task: 'mcq', question: 'question', choices: ['distractor1', 'distractor2', 'distractor3', 'correct_answer'], answer: 'correct_answer', answerFormat: 'text' });
  const r = normaliseRecord(raw({ question: 'q', distractor1: 'x', distractor2: 'y', distractor3: 'z', correct_answer: 'w' })[0], sciq.mapping);
  assert.deepEqual(r, { ok: true, body: { task: 'mcq', question: 'q', choices: ['x', 'y', 'z', 'w'], answer: 3 } });
  const hella = detectMapping(raw({ ctx: 'c', endings: ['e0', 'e1', 'e2', 'e3'], label: '2' }, { ctx: 'd', endings: ['e0', 'e1', 'e2', 'e3'], label: '0' }), 'hs');
  assert.deepEqual(hella.mapping, { task: 'mcq', question: 'ctx', choices: ['endings'], answer: 'label', answerFormat: 'index0' });
});

test('detect: ambiguous integer gold (never 0 nor n) is assumed 0-based, with a note', () => {
  const p = detectMapping(raw({ question: 'q', A: 'a', B: 'b', C: 'c', label: 1 }, { question: 'q2', A: 'a', B: 'b', C: 'c', label: 2 }), 'amb');
  assert.equal(p.mapping.task === 'mcq' && p.mapping.answerFormat, 'index0');
  assert.match(p.notes[0], /assuming it is 0-based/);
});

test('detect: BoolQ booleans → yesno with passage context; Dolly → instruction with context as input; plain text', () => {
  const boolq = detectMapping(raw({ question: 'is it?', passage: 'p', answer: true }, { question: 'is not?', passage: 'p', answer: false }), 'boolq');
  assert.deepEqual(boolq.mapping, { task: 'yesno', question: 'question', context: 'passage', answer: 'answer', labels: ['yes', 'no'] });
  const r = normaliseRecord(raw({ question: 'is not?', passage: 'p', answer: false })[0], boolq.mapping);
  assert.deepEqual(r, { ok: true, body: { task: 'yesno', question: 'is not?', context: 'p', choices: ['yes', 'no'], answer: 1 } });
  const dolly = detectMapping(raw({ instruction: 'i', context: 'c', response: 'r', category: 'qa' }), 'dolly');
  assert.deepEqual(dolly.mapping, { task: 'instruction', instruction: 'instruction', input: 'context', output: 'response' });
  assert.equal(detectMapping(raw({ content: 'once upon a time', meta: 1 }), 't').mapping.task, 'text');
  assert.throws(() => detectMapping(raw({ x: 1, y: [1, 2] }), 'weird.jsonl'), (e: unknown) => e instanceof DatasetMappingError && /weird\.jsonl: cannot tell the task type \(fields seen: x, y\)/.test(e.message));
});

test('CLI mapping: --task mcq --map question=goal,choices=sol1|sol2,answer=label', () => {
  assert.deepEqual(parseMappingArgs('mcq', 'question=goal,choices=sol1|sol2,answer=label'), { task: 'mcq', question: 'goal', choices: ['sol1', 'sol2'], answer: 'label' });
  assert.deepEqual(parseMappingArgs('chat', 'messages=turns,roles=bot:assistant|person:user'), { task: 'chat', messages: 'turns', roles: { bot: 'assistant', person: 'user' } });
  assert.deepEqual(parseMappingArgs('yesno', 'labels=Yes|No'), { task: 'yesno', labels: ['Yes', 'No'] });
  assert.throws(() => parseMappingArgs('mcq', 'question'), /expected key=value/);
  assert.throws(() => parseMappingArgs('mcq', 'questoin=goal'), /invalid dataset mapping: .*questoin/);
  assert.throws(() => parseMappingArgs('mcq', 'answerFormat=roman'), /answerFormat/);
  assert.throws(() => parseMappingArgs('quiz'), /unknown task type "quiz"/);
  assert.throws(() => parseMappingArgs('chat', 'roles=bot:robot'), /roles/);
  assert.throws(() => parseMapping({ task: 'text' }), /text/);
});

test('explicit mapping: PIQA with the CLI mapping imports like detection; answerFormat is still inferred', async () => {
  const r = await importDataset(ds('piqa'), { mapping: parseMappingArgs('mcq', 'question=goal,choices=sol1|sol2,answer=label') });
  assert.deepEqual(r.mapping, { task: 'mcq', question: 'goal', choices: ['sol1', 'sol2'], answer: 'label', answerFormat: 'index0' });
  assert.equal(r.records.length, 981);
  const swapped = await importDataset(ds('piqa'), { mapping: { task: 'mcq', question: 'goal', choices: ['sol2', 'sol1'], answer: 'label', answerFormat: 'index0' } });
  assert.equal((swapped.records[0] as McqRecord).choices[0], (r.records[0] as McqRecord).choices[1]);
});

test('explicit mapping: MedMCQA forced 0-based skips the cop = 4 records, naming line and field', async () => {
  const r = await importDataset(ds('medmcqa/dev.json'), { mapping: { task: 'mcq', answerFormat: 'index0' } });
  assert.ok(r.skipped.length > 0 && r.skipped.length < 1992);
  assert.equal(r.records.length + r.skipped.length, 1992);
  assert.ok(r.skipped.every((s) => s.field === 'cop' && /answer 4 is out of range 0–3/.test(s.reason) && s.line !== undefined));
});

test('explicit mapping: a field no record has, or a task that contradicts the mapping, is refused', async () => {
  await assert.rejects(importDataset(ds('piqa'), { mapping: { task: 'mcq', question: 'goal', choices: ['sol1', 'sol3'], answer: 'label', answerFormat: 'index0' } }), /names field "sol3", which no record has/);
  await assert.rejects(importDataset(ds('piqa'), { task: 'yesno', mapping: { task: 'mcq' } }), /contradicts/);
  await assert.rejects(importDataset(ds('alpaca_cleaned'), { task: 'mcq' }), (e: unknown) => e instanceof DatasetMappingError && /cannot complete the mcq mapping/.test(e.message));
});

test('mapping without a task: the task comes from `task`, else from detection', async () => {
  const a = await importDataset(ds('piqa'), { task: 'mcq', mapping: { question: 'goal', choices: ['sol1', 'sol2'] } });
  assert.deepEqual(a.mapping, { task: 'mcq', question: 'goal', choices: ['sol1', 'sol2'], answer: 'label', answerFormat: 'index0' });
  const b = await importDataset(ds('piqa'), { mapping: { choices: ['sol2', 'sol1'] } });
  assert.deepEqual(b.mapping.task === 'mcq' && b.mapping.choices, ['sol2', 'sol1']);
  await assert.rejects(importDataset(ds('piqa'), { mapping: { chioces: ['sol2'] } }), /invalid dataset mapping: .*chioces/);
});

test('explicit task: forcing a chat dataset to another task, and a text field as text', async () => {
  const r = await importDataset(ds('alpaca_cleaned'), { mapping: { task: 'text', text: 'output' } });
  assert.equal(r.taskType, 'text');
  assert.equal(r.records.length, 600);
});

test('normalise: misfits name the field and say why', () => {
  const chat = parseMapping({ task: 'chat', messages: 'conversations' });
  const bad = normaliseRecord(raw({ conversations: [{ from: 'human', value: 'hi' }, { from: 'robot', value: 'x' }] })[0], chat);
  assert.deepEqual(bad, { ok: false, field: 'conversations[1].from', reason: 'unknown role "robot" (map it with roles=robot:user|assistant|system)' });
  const noAnswer = normaliseRecord(raw({ conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: '  ' }] })[0], chat);
  assert.deepEqual(noAnswer, { ok: false, field: 'conversations', reason: 'has no non-empty assistant message to learn from' });
  const instr = parseMapping({ task: 'instruction', instruction: 'instruction', output: 'output' });
  assert.deepEqual(normaliseRecord(raw({ instruction: 'x', output: null })[0], instr), { ok: false, field: 'output', reason: 'expected text, found null' });
  const yn = parseMapping({ task: 'yesno', question: 'q', answer: 'a', labels: ['yes', 'no'] });
  assert.deepEqual(normaliseRecord(raw({ q: 'x', a: 'perhaps' })[0], yn), { ok: false, field: 'a', reason: 'label "perhaps" is not one of yes/no' });
  const letter = parseMapping({ task: 'mcq', question: 'q', choices: ['a', 'b'], answer: 'k', answerFormat: 'letter' });
  assert.match((normaliseRecord(raw({ q: 'x', a: '1', b: '2', k: 'C' })[0], letter) as { reason: string }).reason, /answer C is out of range A–B/);
});

test('splits: canonical names, deterministic permutation, fraction checks, source mode', () => {
  assert.equal(canonicalSplit('dev', ['dev', 'val', 'test']), 'train');
  assert.equal(canonicalSplit('dev', ['dev', 'test']), 'validation');
  assert.equal(canonicalSplit('valid', []), 'validation');
  assert.equal(canonicalSplit('misc', []), undefined);
  assert.deepEqual(seededPermutation(10, 3), seededPermutation(10, 3));
  assert.deepEqual([...seededPermutation(10, 3)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const { splits, info } = assignSplits(new Array(5).fill(undefined));
  assert.equal(splits.length, 5);
  assert.deepEqual(info.counts, { train: 3, validation: 1, test: 1 });
  assert.throws(() => assignSplits([undefined], { fractions: { train: 0.9, validation: 0.2, test: 0 } }), /sum to 1/);
  assert.throws(() => assignSplits(['train', 'train'], { mode: 'source' }), /no usable split/);
  assert.equal(assignSplits(['train', 'test', 'misc']).info.origin, 'seeded');
});

test('plain {question, choices, answer} JSONL is mcq with 2 bad records of 4, gold as index, letter or text', async () => {
  const { importRead } = await import('../../engine/data/import.ts');
  const { parseJsonl } = await import('../../engine/data/read-json.ts');
  const good = [{ question: '2+2?', choices: ['3', '4', '5'] }, { question: 'Sky colour?', choices: ['blue', 'green'] }];
  const cases: [string, unknown[], string, unknown][] = [
    ['index0', [1, 0], 'index0', 7],
    ['letter', ['B', 'A'], 'letter', 'maybe so'],
    ['text', ['4', 'blue'], 'text', 'c'],
  ];
  for (const [name, golds, format, badGold] of cases) {
    const lines = [
      ...good.map((g, i) => ({ ...g, answer: golds[i] })),
      { question: 'Broken', choices: 'red, blue', answer: golds[1] },
      { question: 'Bad gold', choices: ['a', 'b'], answer: badGold },
    ].map((r) => JSON.stringify(r)).join('\n');
    const r = importRead({ files: ['m.jsonl'], labelFiles: [], records: parseJsonl(lines, 'm.jsonl') }, 'm.jsonl');
    assert.equal(r.taskType, 'mcq', name);
    assert.equal((r.mapping as { answerFormat: string }).answerFormat, format, name);
    assert.deepEqual((r.records as McqRecord[]).map((x) => x.answer), [1, 0], name);
    assert.deepEqual(r.skipped.map((s) => [s.line, s.field]), [[3, 'choices'], [4, 'answer']], name);
  }
});

test('a hint that cannot be completed suggests a --map of its own task', () => {
  const recs = raw({ foo: 1 }, { foo: 2 });
  assert.throws(() => detectMapping(recs, 'x.jsonl', { task: 'yesno' }), /--map \(e\.g\. question=…,answer=…\[,context=…\]\)/);
  assert.throws(() => detectMapping(recs, 'x.jsonl', { task: 'mcq' }), /choices=a\|b\|c/);
});
