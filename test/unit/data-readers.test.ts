// Readers and malformed input: every error names the file and, where it applies, the line and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputFileError } from '../../engine/io/errors.ts';
import { DatasetMappingError, formatSkipped } from '../../engine/data/errors.ts';
import { importDataset } from '../../engine/data/import.ts';
import type { MappingOverride } from '../../engine/data/mapping.ts';
import { parseCsv } from '../../engine/data/read-csv.ts';
import { parseJsonFile, parseJsonl } from '../../engine/data/read-json.ts';
import { attachLabels } from '../../engine/data/read-labels.ts';
import { parseText } from '../../engine/data/read-text.ts';
import { splitNameOf } from '../../engine/data/read-path.ts';
import type { McqRecord } from '../../engine/data/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'trimllm-data-'));
function fixture(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('JSONL: lines that are not JSON or not objects are skipped and listed (file, line, reason); the rest import', async () => {
  const p = fixture('bad.jsonl', '{"text": "a"}\n\n{"text": "b"\n{"text": "c"}\n[1]\n{"text": "d"}\n');
  const r = await importDataset(p);
  assert.deepEqual(r.records.map((x) => (x as { text: string }).text), ['a', 'c', 'd']);
  assert.equal(r.total, 5);
  assert.deepEqual(r.skipped.map((s) => [s.file, s.line, s.field]), [[p, 3, ''], [p, 5, '']]);
  assert.match(formatSkipped(r.skipped[0]!), /bad\.jsonl: line 3: not valid JSON/);
  assert.equal(formatSkipped(r.skipped[1]!), `${p}: line 5: expected a JSON object per line, found an array`);
  // Nothing readable: the file as a whole is refused, naming the first problem.
  assert.throws(() => parseJsonl('nope\n[1]\n', 'x.jsonl'), (e: unknown) =>
    e instanceof InputFileError && e.message === 'x.jsonl: no record could be read (line 1: not valid JSON (Unexpected token \'o\', "nope" is not valid JSON))');
});

test('JSONL: CRLF, blank lines and no final newline; rows skip blank lines, lines do not', () => {
  const recs = parseJsonl('{"a":1}\r\n\r\n{"a":2}', 'x.jsonl');
  assert.deepEqual(recs.map((r) => [r.fields.a, r.loc.row, r.loc.line]), [[1, 1, 1], [2, 2, 3]]);
  assert.throws(() => parseJsonl('[1]\n', 'x.jsonl'), /x\.jsonl: no record could be read \(line 1: expected a JSON object per line, found an array\)/);
});

test('JSON: array elements carry their line; malformed JSON names line and column; wrapper objects work', () => {
  const recs = parseJsonFile('[\n  {"a": 1},\n  {\n    "a": 2\n  }\n]\n', 'x.json');
  assert.deepEqual(recs.map((r) => r.loc.line), [2, 3]);
  assert.throws(() => parseJsonFile('[\n {"a": 1},\n {"a": 2,}\n]', 'x.json'), (e: unknown) => {
    assert.ok(e instanceof InputFileError);
    assert.match(e.message, /^x\.json: line 3, column \d+: not valid JSON/);
    return true;
  });
  assert.deepEqual(parseJsonFile('{"version": 1, "data": [{"q": "a"}, {"q": "b"}]}', 'w.json').map((r) => r.fields.q), ['a', 'b']);
  assert.throws(() => parseJsonFile('{"a": 1, "b": 2}', 'w.json'), /cannot find the records/);
  assert.throws(() => parseJsonFile('[]', 'e.json'), /empty/);
});

test('JSON Lines inside a .json file: a bad line is marked unreadable like in .jsonl', () => {
  assert.equal(parseJsonFile('{"a": 1}\n{"a": 2}\n', 'm.json').length, 2);
  const recs = parseJsonFile('{"a": 1}\n{"a": 2\n{"a": 3}\n', 'm.json');
  assert.deepEqual(recs.map((r) => [r.loc.line, r.unreadable?.startsWith('not valid JSON') ?? false]), [[1, false], [2, true], [3, false]]);
});

test('JSON keyed by id: source order kept for integer-like keys, key becomes id', () => {
  const recs = parseJsonFile('{\n "30": {"q": "x"},\n "4": {"q": "y"},\n "7": {"id": "own", "q": "z"}\n}', 'k.json');
  assert.deepEqual(recs.map((r) => [r.loc.key, r.fields.id, r.loc.line]), [['30', '30', 2], ['4', '4', 3], ['7', 'own', 4]]);
});

test('CSV: BOM, CRLF, RFC-4180 quotes and embedded newlines; header detected; lines of multi-line rows', () => {
  const csv = '\uFEFFquestion,answer\r\n"two\r\nlines, with ""quotes""",A\r\n\r\nplain,B\r\n';
  const recs = parseCsv(bytes(csv), 'x.csv');
  assert.deepEqual(recs.map((r) => r.fields), [{ question: 'two\r\nlines, with "quotes"', answer: 'A' }, { question: 'plain', answer: 'B' }]);
  assert.deepEqual(recs.map((r) => [r.loc.row, r.loc.line]), [[1, 2], [2, 5]]);
});

test('CSV: headerless (MMLU-like) columns are col1..colN; header can be forced', () => {
  const csv = '"What is 2+2?",3,4,5,6,B\n"Next, a question?",a,b,c,d,A\n';
  const recs = parseCsv(bytes(csv), 'm.csv');
  assert.deepEqual(Object.keys(recs[0].fields), ['col1', 'col2', 'col3', 'col4', 'col5', 'col6']);
  assert.equal(recs.length, 2);
  assert.equal(parseCsv(bytes('a,b\nc,d\n'), 'h.csv', { header: false }).length, 2);
  assert.equal(parseCsv(bytes('a,b\nc,d\n'), 'h.csv').length, 1);
});

test('CSV: rows with the wrong column count are skipped and listed with their line; the rest import', async () => {
  const p = fixture('cols.csv', 'question,A,B,answer\nq1,x,y,A\n"q2\nspans",x,y\nq3,x,y,B\nq4\n');
  const r = await importDataset(p, { task: 'mcq', mapping: { task: 'mcq', question: 'question', choices: ['A', 'B'], answer: 'answer' } });
  assert.deepEqual(r.records.map((x) => (x as { question: string }).question), ['q1', 'q3']);
  assert.deepEqual(r.skipped.map(formatSkipped), [
    `${p}: line 3: expected 4 columns (as in the header), found 3`,
    `${p}: line 6: expected 4 columns (as in the header), found 1`,
  ]);
  assert.throws(() => parseCsv(bytes('a,b,c\n1\n2\n'), 'all.csv', { header: true }), /all\.csv: no record could be read \(line 2: expected 3 columns/);
});

test('CSV: an unclosed quote and a duplicate header name are reported', () => {
  assert.throws(() => parseCsv(bytes('a,b\n"x,y\n'), 'q.csv'), /q\.csv: line \d+: malformed CSV/);
  assert.throws(() => parseCsv(bytes('a,a\n1,2\n'), 'd.csv', { header: true }), /names column "a" twice/);
});

test('TSV: tab delimiter with CSV-style quoting', async () => {
  const p = fixture('t.tsv', 'label\ttext\nYes\t"he said ""no"" twice"\nNo\tplain, with comma\n');
  const r = await importDataset(p);
  assert.equal(r.taskType, 'yesno');
  assert.deepEqual(r.records.map((x) => (x.task === 'yesno' ? [x.question, x.answer] : [])), [['he said "no" twice', 0], ['plain, with comma', 1]]);
});

test('empty files are refused with a clear message, for every format', async () => {
  for (const name of ['e.jsonl', 'e.json', 'e.csv', 'e.txt', 'e.parquet']) {
    await assert.rejects(importDataset(fixture(name, '')), (e: unknown) => e instanceof InputFileError && /empty/.test(e.message) && e.file.endsWith(name));
  }
  await assert.rejects(importDataset(fixture('ws.jsonl', '\n  \n')), /empty/);
  await assert.rejects(importDataset(fixture('h.csv', 'question,answer\n')), /header but no data rows/);
});

test('unknown extension, missing path and a folder without data files are refused', async () => {
  await assert.rejects(importDataset(fixture('x.xlsx', 'abc')), /unknown dataset format "\.xlsx"/);
  await assert.rejects(importDataset(join(dir, 'nope.jsonl')), /no such file or folder/);
  mkdirSync(join(dir, 'emptydir'));
  fixture('emptydir/README.md', '# hi');
  fixture('emptydir/README.txt', 'hi');
  fixture('emptydir/dataset_info.json', '{"features": {}}');
  await assert.rejects(importDataset(join(dir, 'emptydir')), /holds no dataset file/);
});

test('mcq with a gold out of range → skipped with file, line, field and reason; the rest imported', async () => {
  const rows = [
    { question: 'q1', opa: 'a', opb: 'b', opc: 'c', opd: 'd', cop: 1 },
    { question: 'q2', opa: 'a', opb: 'b', opc: 'c', opd: 'd', cop: 7 },
    { question: 'q3', opa: 'a', opb: 'b', opc: 'c', opd: 'd', cop: 4 },
    { question: 'q4', opa: 'a', opb: 'b', opc: 'c', opd: 'd', cop: 2 },
  ];
  const p = fixture('gold.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
  const r = await importDataset(p);
  assert.equal(r.taskType, 'mcq');
  assert.equal(r.records.length, 3);
  assert.deepEqual((r.records as McqRecord[]).map((x) => x.answer), [0, 3, 1]);
  assert.equal(r.skipped.length, 1);
  assert.deepEqual({ ...r.skipped[0], reason: undefined }, { file: p, line: 2, row: 2, field: 'cop', reason: undefined });
  assert.match(r.skipped[0].reason, /answer 7 is out of range 1–4/);
  assert.equal(r.total, 4);
});

test('too many records that do not fit → the import fails (nothing half-imported) and lists the first problems', async () => {
  const p = fixture('mostlybad.jsonl', ['{"q":"a","c":["x","y"],"answer":0}', '{"q":"b","c":["x","y"],"answer":5}', '{"q":"c","c":["x","y"],"answer":9}'].join('\n'));
  const mapping: MappingOverride = { task: 'mcq', question: 'q', choices: ['c'], answer: 'answer', answerFormat: 'index0' };
  await assert.rejects(importDataset(p, { mapping }), (e: unknown) => e instanceof DatasetMappingError && /2 of 3 records do not fit/.test(e.message) && /line 2, field "answer"/.test(e.message));
  const r = await importDataset(p, { mapping, maxSkippedFraction: 1 });
  assert.equal(r.records.length, 1);
});

test('text: blank-line documents (heading joined), line mode, CR-only line ends', () => {
  const t = parseText('TITLE\n\nTALE ONE\nIt began.\nIt ended.\n\n\nTALE TWO\nOnce.\n', 't.txt');
  assert.deepEqual(t.map((r) => [r.fields.text, r.loc.line]), [['TITLE\n\nTALE ONE\nIt began.\nIt ended.', 1], ['TALE TWO\nOnce.', 8]]);
  assert.deepEqual(parseText('one\rtwo\r', 'l.txt').map((r) => r.fields.text), ['one', 'two']);
  assert.deepEqual(parseText('a\n\nb\n', 'f.txt', 'file').map((r) => r.fields.text), ['a\n\nb']);
  assert.throws(() => parseText(' \n\n', 'e.txt'), /empty/);
});

test('label files: count mismatch and blank lines are errors naming the label file', () => {
  const recs = parseJsonl('{"a":1}\n{"a":2}\n', 'v.jsonl');
  assert.deepEqual(attachLabels(recs, '1\r\n0\r\n\r\n', 'v.lst').map((r) => r.fields.label), [1, 0]);
  assert.throws(() => attachLabels(recs, '1\n', 'v.lst'), /v\.lst: has 1 labels but v\.jsonl has 2 records/);
  assert.throws(() => attachLabels(recs, '1\n\n0\n', 'v.lst'), /v\.lst: line 2: blank label line/);
});

test('split names from folder layout and file names', () => {
  assert.equal(splitNameOf('dev/econometrics_dev.csv'), 'dev');
  assert.equal(splitNameOf('test.tsv'), 'test');
  assert.equal(splitNameOf('valid.jsonl'), 'valid');
  assert.equal(splitNameOf('data/train-00000-of-00001.parquet'), 'train');
  assert.equal(splitNameOf('alpaca_data_cleaned_1000.json'), undefined);
});

test('invalid UTF-8 is refused', async () => {
  await assert.rejects(importDataset(fixture('bin.jsonl', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))), /not valid UTF-8/);
});
