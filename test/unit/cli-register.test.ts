// `trim` registers its model and dataset with reuse: a second run from the same files uses the entries the first
// one made (no pile of copies in the app's pickers), while a changed file or another tokenizer is a new entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../engine/backend/select.ts';
import { closeDatabase, listDatasets, listModels, openDatabase } from '../../electron/store/index.ts';
import { registerModel } from '../../electron/app/import-model.ts';
import { registerDataset } from '../../electron/app/import-dataset.ts';
import { STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';

const quiet = <T>(work: () => Promise<T>): Promise<T> => {
  const log = console.error;
  console.error = () => {};
  return work().finally(() => { console.error = log; });
};

test('registerModel with reuse: same file and tokenizer → same id; another file → a new entry', async () => {
  await selectBackend('cpu');
  const db = openDatabase(':memory:');
  try {
    const a = await quiet(() => registerModel(db, STORIES_BIN, { tokenizer: STORIES_TOK, reuse: true }));
    assert.equal(await quiet(() => registerModel(db, STORIES_BIN, { tokenizer: STORIES_TOK, reuse: true })), a);
    assert.notEqual(await quiet(() => registerModel(db, STORIES_BIN, { tokenizer: STORIES_TOK })), a, 'import-model without reuse adds');
    const dir = mkdtempSync(join(tmpdir(), 'trimllm-reg-'));
    copyFileSync(STORIES_BIN, join(dir, 'stories260K.bin'));
    const copy = await quiet(() => registerModel(db, join(dir, 'stories260K.bin'), { tokenizer: STORIES_TOK, reuse: true }));
    assert.notEqual(copy, a, 'another path is another entry');
    assert.equal(listModels(db).length, 3);
  } finally {
    closeDatabase(db);
  }
});

test('registerDataset with reuse: same records → same id; an edited file → a new dataset', async () => {
  const db = openDatabase(':memory:');
  const file = join(mkdtempSync(join(tmpdir(), 'trimllm-reg-')), 'qa.jsonl');
  const rows = Array.from({ length: 30 }, (_, i) => ({ question: `What is ${i} + 1?`, choices: [`${i + 1}`, `${i + 2}`], answer: 0 }));
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  try {
    const a = await quiet(() => registerDataset(db, file, { reuse: true }));
    assert.equal(await quiet(() => registerDataset(db, file, { reuse: true })), a);
    writeFileSync(file, rows.map((r, i) => JSON.stringify(i === 3 ? { ...r, answer: 1 } : r)).join('\n'));
    const edited = await quiet(() => registerDataset(db, file, { reuse: true }));
    assert.notEqual(edited, a, 'an edited record makes a new dataset');
    assert.equal(listDatasets(db).length, 2);
  } finally {
    closeDatabase(db);
  }
});
