// Imports every dataset in ../shared/datasets and checks task type, counts (from its README) and real values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importDataset, type ImportResult } from '../../engine/data/import.ts';
import type { ChatRecord, InstructionRecord, McqRecord, NormalisedRecord, TextRecord, YesNoRecord } from '../../engine/data/types.ts';

const ds = (p: string): string => fileURLToPath(new URL(`../../../shared/datasets/${p}`, import.meta.url));

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

function as<T extends NormalisedRecord>(r: ImportResult): T[] {
  return r.records as T[];
}

test('medmcqa: JSON Lines in a .json file → 1,992 mcq, cop is 1-based', async () => {
  const r = await importDataset(ds('medmcqa/dev.json'));
  assert.equal(r.taskType, 'mcq');
  assert.deepEqual(r.mapping, { task: 'mcq', question: 'question', choices: ['opa', 'opb', 'opc', 'opd'], answer: 'cop', answerFormat: 'index1', id: 'id' });
  assert.equal(r.records.length, 1992);
  assert.equal(r.skipped.length, 0);
  const first = as<McqRecord>(r)[0];
  assert.equal(first.question, 'Which of the following is not true for myelinated nerve fibers:');
  assert.equal(first.choices[0], 'Impulse through myelinated fibers is slower than non-myelinated fibers');
  assert.equal(first.choices.length, 4);
  assert.equal(first.answer, 0);
  assert.equal(first.id, '45258d3d-b974-44dd-a161-c3fccbdadd88');
  assert.equal(first.source.line, 1);
  // Every gold index is cop - 1, checked against the file read independently.
  const lines = readFileSync(ds('medmcqa/dev.json'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  as<McqRecord>(r).forEach((rec, i) => assert.equal(rec.answer, (JSON.parse(lines[i]) as { cop: number }).cop - 1));
  assert.deepEqual(r.splits.counts, { train: 1594, validation: 199, test: 199 });
  assert.equal(r.splits.origin, 'seeded');
});

test('pubmedqa: object keyed by PMID → 500 yesno with context, source order, yes 276 / no 169 / maybe 55', async () => {
  const r = await importDataset(ds('pubmedqa/ori_pqal.json'));
  assert.equal(r.taskType, 'yesno');
  assert.deepEqual(r.mapping, { task: 'yesno', question: 'QUESTION', context: 'CONTEXTS', answer: 'final_decision', labels: ['yes', 'no', 'maybe'], id: 'id' });
  assert.equal(r.records.length, 500);
  const recs = as<YesNoRecord>(r);
  assert.deepEqual(countBy(recs, (x) => x.choices[x.answer]), { yes: 276, no: 169, maybe: 55 });
  const first = recs[0];
  assert.equal(first.id, '10808977');
  assert.equal(first.source.key, '10808977');
  assert.equal(first.source.line, 2);
  assert.equal(first.question, 'Can tailored interventions increase mammography use among HMO women?');
  assert.deepEqual(first.choices, ['yes', 'no', 'maybe']);
  assert.equal(first.answer, 0);
  assert.ok(first.context?.startsWith('Telephone counseling and tailored print communications have emerged'));
  assert.ok(recs.every((x) => x.context !== undefined && x.context.length > 0));
});

for (const [folder, counts, subjects] of [
  ['mmlu_science', { dev: 20, val: 88, test: 401 }, { high_school_biology: [5, 34, 155], high_school_chemistry: [5, 21, 98], high_school_physics: [5, 17, 76], college_biology: [5, 16, 72] }],
  ['mmlu_economics', { dev: 20, val: 111, test: 507 }, { high_school_macroeconomics: [5, 42, 192], high_school_microeconomics: [5, 26, 117], econometrics: [5, 12, 57], professional_accounting: [5, 31, 141] }],
  ['mmlu_professional_law', { dev: 5, val: 170, test: 767 }, { professional_law: [5, 170, 767] }],
] as const) {
  test(`${folder}: headerless CSV folder → mcq with letter answers and the source's dev/val/test split`, async () => {
    const r = await importDataset(ds(folder));
    assert.equal(r.taskType, 'mcq');
    assert.deepEqual(r.mapping, { task: 'mcq', question: 'col1', choices: ['col2', 'col3', 'col4', 'col5'], answer: 'col6', answerFormat: 'letter' });
    assert.equal(r.skipped.length, 0);
    assert.deepEqual(countBy(r.records, (x) => x.sourceSplit ?? '?'), counts);
    assert.equal(r.splits.origin, 'source');
    assert.deepEqual(r.splits.sourceNames, { dev: 'train', test: 'test', val: 'validation' });
    assert.deepEqual(r.splits.counts, { train: counts.dev, validation: counts.val, test: counts.test });
    for (const [subject, [dev, val, tst]] of Object.entries(subjects)) {
      const of = (split: string): number => r.records.filter((x) => x.source.file.endsWith(`/${split}/${subject}_${split}.csv`)).length;
      assert.deepEqual([of('dev'), of('val'), of('test')], [dev, val, tst], subject);
    }
    // Each record's line is where its raw CSV text starts (records with embedded newlines included).
    for (const rec of as<McqRecord>(r)) {
      const line = readFileSync(rec.source.file, 'utf8').split('\n')[rec.source.line! - 1];
      const head = rec.question.split('\n')[0].slice(0, 20).replace(/"/g, '""');
      assert.ok(line.startsWith(head) || line.startsWith(`"${head}`), `${rec.source.file}:${rec.source.line}`);
    }
  });
}

test('mmlu_science: first record (college_biology dev) spot check', async () => {
  const first = as<McqRecord>(await importDataset(ds('mmlu_science')))[0];
  assert.match(first.source.file, /dev\/college_biology_dev\.csv$/);
  assert.equal(first.question, 'Which of the following represents an accurate statement concerning arthropods?');
  assert.equal(first.choices[3], 'They lack paired, jointed appendages.');
  assert.equal(first.answer, 1);
  assert.equal(first.split, 'train');
  assert.equal(first.sourceSplit, 'dev');
});

test('mmlu_economics: econometrics multi-line records are parsed as CSV, not by lines', async () => {
  const r = await importDataset(ds('mmlu_economics/test/econometrics_test.csv'));
  assert.equal(r.records.length, 57);
  assert.ok(as<McqRecord>(r).some((x) => x.question.includes('\n')));
});

for (const path of ['piqa', 'piqa/valid.jsonl']) {
  test(`piqa (${path}): .jsonl + aligned .lst labels → 981 mcq with 2 choices, labels 0:485 / 1:496`, async () => {
    const r = await importDataset(ds(path));
    assert.equal(r.taskType, 'mcq');
    assert.deepEqual(r.mapping, { task: 'mcq', question: 'goal', choices: ['sol1', 'sol2'], answer: 'label', answerFormat: 'index0' });
    assert.equal(r.records.length, 981);
    assert.equal(r.labelFiles.length, 1);
    assert.match(r.labelFiles[0], /valid-labels\.lst$/);
    const recs = as<McqRecord>(r);
    assert.deepEqual(countBy(recs, (x) => String(x.answer)), { 0: 485, 1: 496 });
    assert.ok(recs.every((x) => x.choices.length === 2));
    assert.equal(recs[0].question, "How do I ready a guinea pig cage for it's new occupants?");
    assert.equal(recs[0].answer, 0);
    assert.equal(recs[1].question, 'dresser');
    assert.deepEqual(recs[1].choices, ['replace drawer with bobby pin ', 'finish, woodgrain with  bobby pin ']);
    assert.equal(recs[1].answer, 1);
  });
}

test('legalbench test.tsv: TSV with CSV quoting → 739 yesno without context, Yes 363 / No 376', async () => {
  const r = await importDataset(ds('legalbench_overruling/test.tsv'));
  assert.equal(r.taskType, 'yesno');
  assert.deepEqual(r.mapping, { task: 'yesno', question: 'text', answer: 'label', labels: ['Yes', 'No'] });
  const recs = as<YesNoRecord>(r);
  assert.equal(recs.length, 739);
  assert.deepEqual(countBy(recs, (x) => x.choices[x.answer]), { Yes: 363, No: 376 });
  assert.ok(recs.every((x) => x.context === undefined));
  assert.ok(recs[0].question.startsWith('jorgensen v. coppedge, 148 idaho 536'));
  assert.equal(recs[0].answer, 1);
  assert.equal(recs[0].source.line, 2);
  assert.ok(recs[1].question.includes('""ask first, warn later""'));
});

test('legalbench folder: train.tsv + test.tsv → source split train 5 / test 739, with a warning', async () => {
  const r = await importDataset(ds('legalbench_overruling'));
  assert.equal(r.records.length, 744);
  assert.deepEqual(r.splits.counts, { train: 5, validation: 0, test: 739 });
  assert.equal(r.splits.warnings.length, 1);
  assert.match(r.splits.warnings[0], /no validation split/);
  const seeded = await importDataset(ds('legalbench_overruling'), { split: { mode: 'seeded' } });
  assert.deepEqual(seeded.splits.counts, { train: 596, validation: 74, test: 74 });
});

test('fiqa_sa_pixiu: ShareGPT-like JSONL with role "agent" → 7,320 chat', async () => {
  const r = await importDataset(ds('fiqa_sa_pixiu/train.jsonl'));
  assert.equal(r.taskType, 'chat');
  assert.deepEqual(r.mapping, { task: 'chat', messages: 'conversations', roleKey: 'from', contentKey: 'value', roles: { human: 'user', agent: 'assistant' }, id: 'id' });
  const recs = as<ChatRecord>(r);
  assert.equal(recs.length, 7320);
  assert.deepEqual(countBy(recs, (x) => x.messages[1].content), { Positive: 4460, Negative: 2320, Neutral: 540 });
  assert.equal(recs[0].id, 'fiqasa0');
  assert.deepEqual(recs[0].messages.map((m) => m.role), ['user', 'assistant']);
  assert.ok(recs[0].messages[0].content.startsWith('What is the sentiment of the following financial post: Positive, Negative, or Neutral?\nText: Whats up with $LULU?'));
  assert.equal(recs[0].messages[1].content, 'Neutral');
});

test('sharegpt_fastchat: JSON array, human/gpt → 300 chat of 2, 4 or 6 turns', async () => {
  const r = await importDataset(ds('sharegpt_fastchat/dummy_conversation.json'));
  assert.equal(r.taskType, 'chat');
  const recs = as<ChatRecord>(r);
  assert.equal(recs.length, 300);
  assert.deepEqual(countBy(recs, (x) => String(x.messages.length)), { 2: 100, 4: 99, 6: 101 });
  assert.equal(recs[0].id, 'identity_0');
  assert.deepEqual(recs[0].messages[0], { role: 'user', content: 'Who are you?' });
  assert.equal(recs[0].messages[3].content, 'You too!');
  assert.ok(recs.every((x) => x.messages.every((m, i) => m.role === (i % 2 === 0 ? 'user' : 'assistant'))));
});

test('alpaca_cleaned: JSON array → 600 instruction records', async () => {
  const r = await importDataset(ds('alpaca_cleaned'));
  assert.equal(r.taskType, 'instruction');
  assert.deepEqual(r.mapping, { task: 'instruction', instruction: 'instruction', input: 'input', output: 'output' });
  const recs = as<InstructionRecord>(r);
  assert.equal(recs.length, 600);
  assert.equal(recs[0].instruction, 'Give three tips for staying healthy.');
  assert.equal(recs[0].input, '');
  assert.ok(recs[0].output.startsWith('1. Eat a balanced and nutritious diet'));
  assert.equal(recs[6].input, '4/16');
  assert.equal(recs[6].source.line, 32); // the line of its opening brace
});

test('gpteacher_roleplay: `response` instead of `output` → 999 instruction records', async () => {
  const r = await importDataset(ds('gpteacher_roleplay'));
  assert.equal(r.taskType, 'instruction');
  assert.equal(r.mapping.task === 'instruction' && r.mapping.output, 'response');
  const recs = as<InstructionRecord>(r);
  assert.equal(recs.length, 999);
  assert.ok(recs[0].instruction.startsWith('Imagine you are a detective trying to solve a murder mystery'));
  assert.ok(recs[0].output.startsWith('The scene of the crime is a dimly lit study'));
});

test('grimm_fairy_tales: UTF-8 text with BOM and CRLF → 38 text records, one per tale', async () => {
  const r = await importDataset(ds('grimm_fairy_tales'));
  assert.equal(r.taskType, 'text');
  const recs = as<TextRecord>(r);
  assert.equal(recs.length, 38);
  assert.ok(recs[0].text.startsWith('THE BROTHERS GRIMM FAIRY TALES\n\nTHE GOLDEN BIRD\nA certain king had a beautiful garden'));
  assert.ok(recs[1].text.startsWith('HANS IN LUCK\nSome men are born to good luck'));
  assert.equal(recs[1].source.line, 24);
  assert.ok(recs[37].text.startsWith('THE QUEEN BEE\n'));
  assert.ok(recs[37].text.endsWith('but his two brothers married the other two sisters.'));
  assert.ok(recs.every((x) => !x.text.includes('\r') && !x.text.includes('\uFEFF')));
  assert.deepEqual(r.splits.counts, { train: 30, validation: 4, test: 4 });
});

test('seeded split is deterministic and depends on the seed', async () => {
  const a = await importDataset(ds('sharegpt_fastchat'));
  const b = await importDataset(ds('sharegpt_fastchat'));
  const c = await importDataset(ds('sharegpt_fastchat'), { split: { seed: 7 } });
  assert.deepEqual(a.records.map((x) => x.split), b.records.map((x) => x.split));
  assert.notDeepEqual(a.records.map((x) => x.split), c.records.map((x) => x.split));
  assert.deepEqual(c.splits.counts, { train: 240, validation: 30, test: 30 });
});

test('legalbench folder has no validation split: prepareTask carves a seeded 20% of test (148 of 739) and says so', async () => {
  const { prepareTask } = await import('../../engine/trim/prepare.ts');
  const { carveValidation } = await import('../../engine/data/split.ts');
  const { readLlama2cTokenizer } = await import('../../engine/io/llama2c-tokenizer.ts');
  const { STORIES_TOK } = await import('../helpers/shared.ts');
  const r = await importDataset(ds('legalbench_overruling'));
  const carved = carveValidation(r.records, 3);
  assert.deepEqual(countBy(carved.records, (x) => x.split), { train: 5, validation: 148, test: 591 });
  assert.deepEqual(carveValidation(r.records, 3).records.map((x) => x.split), carved.records.map((x) => x.split), 'same seed, same carve');
  assert.notDeepEqual(carveValidation(r.records, 4).records.map((x) => x.split), carved.records.map((x) => x.split));
  assert.equal(r.records.filter((x) => x.split === 'validation').length, 0, 'input not modified');
  assert.equal(carved.note, 'the dataset has no validation split: 148 of its 739 test records (a seeded 20%, seed 3) are used as validation');
  const task = prepareTask(readLlama2cTokenizer(STORIES_TOK, 512), 'yesno', r.records, { maxSeqLen: 512, seed: 0, maxEval: 10 });
  assert.equal(task.validation.kind === 'choice' && task.validation.items.length, 10);
  assert.equal(task.train.length, 5);
  assert.deepEqual(task.notes, [carved.note]);
  // Train as the donor when test is too small; nothing to carve from single records.
  const tiny = [{ split: 'train' as const }, { split: 'train' as const }, { split: 'test' as const }];
  assert.deepEqual(carveValidation(tiny, 0).records.map((x) => x.split).sort(), ['test', 'train', 'validation']);
  assert.equal(carveValidation([{ split: 'train' as const }, { split: 'test' as const }], 0).note, null);
});
