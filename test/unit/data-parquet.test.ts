// Parquet round trip, on files written by the test's own tiny Parquet writer (test/helpers/parquet.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDataset } from '../../engine/data/import.ts';
import { parseParquet } from '../../engine/data/read-parquet.ts';
import type { McqRecord } from '../../engine/data/types.ts';
import { writeParquet, type Column } from '../helpers/parquet.ts';

const columns: Column[] = [
  { name: 'question', type: 'BYTE_ARRAY', values: ['Which gas do plants absorb?', 'Übung: 2 + 2 = ?', 'Boiling point of water at sea level?'] },
  { name: 'A', type: 'BYTE_ARRAY', values: ['Oxygen', '3', '90 °C'] },
  { name: 'B', type: 'BYTE_ARRAY', values: ['Carbon dioxide', '4', '100 °C'] },
  { name: 'C', type: 'BYTE_ARRAY', values: ['Nitrogen', '5', '110 °C'] },
  { name: 'answer', type: 'INT64', values: [1, 1, 1] },
  { name: 'n', type: 'INT32', values: [7, -3, 2147483647] },
];

test('Parquet: a hand-written file reads back row by row (strings, INT32, INT64 → number)', async () => {
  const recs = await parseParquet(writeParquet(columns), 'x.parquet');
  assert.equal(recs.length, 3);
  assert.deepEqual(recs[1].fields, { question: 'Übung: 2 + 2 = ?', A: '3', B: '4', C: '5', answer: 1, n: -3 });
  assert.deepEqual(recs.map((r) => r.loc), [1, 2, 3].map((row) => ({ file: 'x.parquet', row })));
  assert.equal(recs[2].fields.n, 2147483647);
});

test('Parquet: importDataset detects mcq (choices A–C, 0-based answer) and names rows in skips', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-pq-'));
  const p = join(dir, 'train.parquet');
  const bad = columns.map((c) => (c.name === 'answer' ? { ...c, values: [1, 1, 9] } : c)) as Column[];
  writeFileSync(p, writeParquet(bad));
  const r = await importDataset(p);
  assert.equal(r.taskType, 'mcq');
  assert.deepEqual(r.mapping, { task: 'mcq', question: 'question', choices: ['A', 'B', 'C'], answer: 'answer', answerFormat: 'index0' });
  const recs = r.records as McqRecord[];
  assert.deepEqual(recs.map((x) => [x.question, x.choices[x.answer]]), [['Which gas do plants absorb?', 'Carbon dioxide'], ['Übung: 2 + 2 = ?', '4']]);
  assert.deepEqual(r.skipped.map((s) => [s.row, s.line, s.field]), [[3, undefined, 'answer']]);
});

test('Parquet: a file that is not Parquet, or is cut short, is refused', async () => {
  await assert.rejects(parseParquet(new TextEncoder().encode('question,answer\n'), 'fake.parquet'), /fake\.parquet: not a Parquet file/);
  const good = writeParquet(columns);
  const cut = Uint8Array.from([...good.subarray(0, 40), ...good.subarray(good.length - 4)]);
  await assert.rejects(parseParquet(cut, 'cut.parquet'), /cut\.parquet: cannot read this Parquet file/);
});
