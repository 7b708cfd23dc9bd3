// Prompt formatting: default templates, scoring examples (harness style), training examples, chat templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { ChatMessage } from '../../engine/io/tokenizer.ts';
import { importDataset } from '../../engine/data/import.ts';
import { toScoringExample, toTrainingExample } from '../../engine/data/prompts.ts';
import { DEFAULT_TEMPLATES, fillTemplate, placeholdersOf, resolveTemplates } from '../../engine/data/templates.ts';
import type { ChatRecord, McqRecord, NormalisedRecord, YesNoRecord } from '../../engine/data/types.ts';

const ds = (p: string): string => fileURLToPath(new URL(`../../../shared/datasets/${p}`, import.meta.url));
const base = { id: 'r1', source: { file: 'mem', row: 1 }, split: 'train' as const };
const mcq: McqRecord = { ...base, task: 'mcq', question: 'What is 2+2?', choices: ['3', '4', '5'], answer: 1 };
const chat: ChatRecord = {
  ...base,
  task: 'chat',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!' },
    { role: 'user', content: 'Name?' },
    { role: 'assistant', content: 'Vicuna.' },
    { role: 'user', content: 'trailing question with no answer' },
  ],
};

/** A ChatML-like template, rendered the way a Jinja chat template would be. */
const chatml = {
  applyChatTemplate(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
    return messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + (addGenerationPrompt ? '<|im_start|>assistant\n' : '');
  },
};

test('mcq: default `Question: {question}\\nAnswer:` scored against each full choice with delimiter " "', () => {
  assert.deepEqual(toScoringExample(mcq), { context: 'Question: What is 2+2?\nAnswer:', continuations: [' 3', ' 4', ' 5'], choices: ['3', '4', '5'], gold: 1 });
  const t = toTrainingExample(mcq);
  assert.equal(t.prompt, 'Question: What is 2+2?\nAnswer:');
  assert.equal(t.target, ' 4');
  assert.equal(t.eos, true);
  assert.deepEqual(t.segments.map((s) => s.loss), [false, true]);
});

test('mcq: a real MedMCQA record and an MMLU-style lettered template', async () => {
  const r = await importDataset(ds('medmcqa/dev.json'));
  const ex = toScoringExample(r.records[0] as McqRecord);
  assert.equal(ex.context, 'Question: Which of the following is not true for myelinated nerve fibers:\nAnswer:');
  assert.equal(ex.continuations[0], ' Impulse through myelinated fibers is slower than non-myelinated fibers');
  assert.equal(ex.gold, 0);
  const lettered = resolveTemplates({ mcq: '{question}\n{choices}\nAnswer:' });
  assert.equal(toScoringExample(mcq, lettered).context, 'What is 2+2?\nA. 3\nB. 4\nC. 5\nAnswer:');
});

test('yesno: with context (PubMedQA) and without (LegalBench)', async () => {
  const pub = (await importDataset(ds('pubmedqa/ori_pqal.json'))).records[0] as YesNoRecord;
  const ex = toScoringExample(pub);
  assert.ok(ex.context.startsWith('Telephone counseling'));
  assert.ok(ex.context.endsWith('\nQuestion: Can tailored interventions increase mammography use among HMO women?\nAnswer:'));
  assert.deepEqual(ex.continuations, [' yes', ' no', ' maybe']);
  assert.equal(ex.gold, 0);
  const legal = (await importDataset(ds('legalbench_overruling/test.tsv'))).records[0] as YesNoRecord;
  const lx = toScoringExample(legal);
  assert.ok(lx.context.startsWith('Question: jorgensen v. coppedge'));
  assert.deepEqual([lx.continuations, lx.gold], [[' Yes', ' No'], 1]);
  assert.equal(toTrainingExample(legal).target, ' No');
});

test('instruction: Alpaca prompts with and without input', async () => {
  const recs = (await importDataset(ds('alpaca_cleaned'))).records;
  const noInput = toTrainingExample(recs[0]);
  assert.equal(
    noInput.prompt,
    'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
      '### Instruction:\nGive three tips for staying healthy.\n\n### Response:\n',
  );
  assert.ok(noInput.target.startsWith('1. Eat a balanced'));
  const withInput = toTrainingExample(recs[6]);
  assert.ok(withInput.prompt.startsWith('Below is an instruction that describes a task, paired with an input that provides further context.'));
  assert.ok(withInput.prompt.endsWith('### Instruction:\nExplain why the following fraction is equivalent to 1/4\n\n### Input:\n4/16\n\n### Response:\n'));
});

test('chat without a template: plain User:/Assistant: with loss on every assistant turn; trailing user turn dropped', () => {
  const t = toTrainingExample(chat, { tokenizer: { applyChatTemplate: () => null } });
  assert.equal(t.format, 'plain');
  assert.deepEqual(t.segments.map((s) => [s.text, s.loss, s.eos]), [
    ['System: Be brief.\nUser: Hi\nAssistant:', false, false],
    [' Hello!', true, true],
    ['\nUser: Name?\nAssistant:', false, false],
    [' Vicuna.', true, true],
  ]);
  assert.equal(t.prompt, 'System: Be brief.\nUser: Hi\nAssistant: Hello!\nUser: Name?\nAssistant:');
  assert.equal(t.target, ' Vicuna.');
});

test('chat with the tokenizer chat template: segments are the incremental renderings', () => {
  const t = toTrainingExample(chat, { tokenizer: chatml });
  assert.equal(t.format, 'chat-template');
  assert.equal(t.eos, false);
  assert.deepEqual(t.segments.map((s) => [s.text, s.loss]), [
    ['<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n', false],
    ['Hello!<|im_end|>\n', true],
    ['<|im_start|>user\nName?<|im_end|>\n<|im_start|>assistant\n', false],
    ['Vicuna.<|im_end|>\n', true],
  ]);
  assert.equal(t.segments.map((s) => s.text).join(''), chatml.applyChatTemplate(chat.messages.slice(0, 5), false));
  assert.equal(t.target, 'Vicuna.<|im_end|>\n');
});

test('chat: a template that does not render incrementally falls back to the plain format', () => {
  const odd = { applyChatTemplate: (m: readonly ChatMessage[], g: boolean) => `${m.length}:${g}` };
  assert.equal(toTrainingExample(chat, { tokenizer: odd }).format, 'plain');
});

test('text: empty prompt, loss on the whole text, no EOS', () => {
  const rec: NormalisedRecord = { ...base, task: 'text', text: 'Once upon a time.' };
  const t = toTrainingExample(rec);
  assert.deepEqual([t.prompt, t.target, t.eos, t.segments.length], ['', 'Once upon a time.', false, 1]);
});

test('templates: placeholders, escaped braces, validation of user edits', () => {
  assert.deepEqual(placeholdersOf('{{x}} {question} {choices}'), ['question', 'choices']);
  assert.equal(fillTemplate('{{literal}} {q}', { q: 'v' }), '{literal} v');
  assert.throws(() => fillTemplate('{nope}', { q: 'v' }), /unknown placeholder \{nope\} \(available: \{q\}\)/);
  assert.throws(() => resolveTemplates({ mcq: 'Q: {question} {context}' }), /mcq uses \{context\}/);
  assert.throws(() => resolveTemplates({ mqc: 'x' }), /invalid prompt templates/);
  const t = resolveTemplates({ targetDelimiter: '' });
  assert.deepEqual(toScoringExample(mcq, t).continuations, ['3', '4', '5']);
  assert.equal(t.mcq, DEFAULT_TEMPLATES.mcq);
});
