// Fuzz: the dataset importers — JSONL, JSON, CSV/TSV and Parquet bytes through the reader (parseDatasetBytes),
// task detection, normalisation and splitting (importRead), as `trimllm import-data` and the app's import do.
// Seeds are the first records of the shared datasets (piqa, medmcqa, alpaca, ShareGPT, PubMedQA, MMLU,
// LegalBench) and a Parquet file written by test/helpers/parquet.ts; inputs are their byte mutations and (JSON)
// structural edits. Every case imports or throws an InputFileError / DatasetRecordError / DatasetMappingError
// naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DatasetMappingError } from '../../engine/data/errors.ts';
import { importRead } from '../../engine/data/import.ts';
import { parseDatasetBytes, type DatasetFormat } from '../../engine/data/read-path.ts';
import { sharedPath } from '../helpers/shared.ts';
import { writeParquet } from '../helpers/parquet.ts';
import { describeError, fuzz, inputFileProblem, JSON_TOKENS, mutatedBytes, mutatedJson } from './harness.ts';

const enc = (s: string) => new TextEncoder().encode(s);
/** The first `n` lines of a shared dataset file. */
const head = (relative: string, n: number) => readFileSync(sharedPath(`datasets/${relative}`), 'utf8').split('\n').slice(0, n).join('\n');
/** The first `n` records of a shared JSON dataset (array, or object keyed by id). */
function firstRecords(relative: string, n: number): unknown {
  const doc = JSON.parse(readFileSync(sharedPath(`datasets/${relative}`), 'utf8')) as unknown;
  return Array.isArray(doc) ? doc.slice(0, n) : Object.fromEntries(Object.entries(doc as object).slice(0, n));
}
const mmluDir = sharedPath('datasets/mmlu_economics/dev');
const mmlu = join('mmlu_economics/dev', readdirSync(mmluDir).find((f) => f.endsWith('.csv'))!);

/** Imports the bytes as one file of `format`; an accepted import has records of one task, each with a split. */
async function importBytes(bytes: Uint8Array, file: string, format: DatasetFormat): Promise<void> {
  const records = await parseDatasetBytes(bytes, file, format);
  const result = importRead({ files: [file], labelFiles: [], records }, file);
  assert.ok(result.records.length > 0);
  assert.equal(result.records.length + result.skipped.length, result.total);
  for (const r of result.records) assert.equal(r.task, result.taskType);
}

/** Acceptable: the readers' InputFileError family, or a DatasetMappingError naming the file. */
function problem(e: unknown, file: string): string | null {
  if (e instanceof DatasetMappingError) return e.message.includes(file) ? null : `DatasetMappingError not naming ${file}: ${describeError(e)}`;
  return inputFileProblem(e, file);
}

async function fuzzFormat(t: Parameters<typeof fuzz>[0], format: DatasetFormat, arb: fc.Arbitrary<Uint8Array>): Promise<void> {
  const file = `fuzz/data.${format}`;
  const stats = await fuzz(t, arb, (bytes) => importBytes(bytes, file, format), (e) => problem(e, file));
  assert.ok(stats.rejected > 0 && stats.accepted > 0, `both outcomes occur (${stats.accepted} accepted)`);
}

const CSV_TOKENS = [',', '"', '""', '\n', '\r\n', '\r', '\t', ';', '\u0000', '\uFEFF', 'A', '1', '-1', '5', ' '];

test('fuzz: JSONL importer', { timeout: 150_000 }, async (t) => {
  const seeds = [head('piqa/valid.jsonl', 4), head('fiqa_sa_pixiu/train.jsonl', 3), readFileSync('resources/demo/story-qa.jsonl', 'utf8').split('\n').slice(0, 4).join('\n')];
  const lines = seeds.flatMap((s) => s.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown));
  const arb = fc.oneof(
    mutatedBytes(seeds.map(enc), JSON_TOKENS),
    fc.array(mutatedJson(lines), { minLength: 1, maxLength: 5 }).map((ls) => enc(ls.join('\n'))),
  );
  await fuzzFormat(t, 'jsonl', arb);
});

test('fuzz: JSON importer', { timeout: 150_000 }, async (t) => {
  const docs = [
    firstRecords('alpaca_cleaned/alpaca_data_cleaned_1000.json', 3),
    firstRecords('pubmedqa/ori_pqal.json', 2),
    firstRecords('sharegpt_fastchat/dummy_conversation.json', 2),
    { data: firstRecords('gpteacher_roleplay/roleplay-simple-deduped-roleplay-instruct.json', 2) },
  ];
  const arb = fc.oneof(
    { weight: 3, arbitrary: mutatedJson(docs).map(enc) },
    { weight: 1, arbitrary: mutatedBytes(docs.map((d) => enc(JSON.stringify(d, null, 1))), JSON_TOKENS) },
    { weight: 1, arbitrary: fc.constant(enc(head('medmcqa/dev.json', 3))).chain((b) => mutatedBytes([b], JSON_TOKENS)) },
  );
  await fuzzFormat(t, 'json', arb);
});

test('fuzz: CSV importer', { timeout: 150_000 }, async (t) => {
  const seeds = [head(mmlu, 4), 'question,A,B,answer\n"Is it, or not?",yes,no,A\nWhich?,x,"y ""quoted""",B\n', head('legalbench_overruling/train.tsv', 4).replace(/\t/g, ',')];
  await fuzzFormat(t, 'csv', mutatedBytes(seeds.map(enc), CSV_TOKENS));
});

test('fuzz: Parquet importer', { timeout: 150_000 }, async (t) => {
  const seeds = [
    writeParquet([
      { name: 'question', type: 'BYTE_ARRAY', values: ['Which gas do plants absorb?', 'Übung: 2 + 2 = ?'] },
      { name: 'A', type: 'BYTE_ARRAY', values: ['Oxygen', '3'] },
      { name: 'B', type: 'BYTE_ARRAY', values: ['Carbon dioxide', '4'] },
      { name: 'answer', type: 'INT64', values: [1, 1] },
    ]),
    writeParquet([{ name: 'text', type: 'BYTE_ARRAY', values: ['Once upon a time.', 'The end.', ''] }, { name: 'n', type: 'INT32', values: [1, -2, 2 ** 31 - 1] }]),
  ];
  await fuzzFormat(t, 'parquet', mutatedBytes(seeds));
});
