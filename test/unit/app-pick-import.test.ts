// Importing what a user picks: a folder holding one llama2.c checkpoint (and its tokenizer) imports; a folder
// with several names them; a file that is no model says so in words; datasets are named after their folder when
// the file only names a split; the server-mode folder browser stays inside its roots, links included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../engine/backend/select.ts';
import { resolveModelPath } from '../../engine/io/model-path.ts';
import { loadModel } from '../../engine/io/load-model.ts';
import { closeDatabase, getModel, openDatabase } from '../../electron/store/index.ts';
import { registerModel } from '../../electron/app/import-model.ts';
import { defaultDatasetName } from '../../electron/app/dataset-name.ts';
import { browseFolder } from '../../electron/app/browse-folder.ts';
import { sharedPath, STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';

test('a folder with one llama2.c checkpoint resolves to it (the tokenizer beside it is not a checkpoint)', async () => {
  assert.equal(resolveModelPath(sharedPath('models/stories260K')), STORIES_BIN);
  await selectBackend('cpu');
  const db = openDatabase(':memory:');
  const log = console.error;
  console.error = () => {};
  try {
    const id = await registerModel(db, sharedPath('models/stories260K'));
    const m = getModel(db, id)!;
    assert.equal(m.source, STORIES_BIN);
    assert.equal(m.name, 'stories260K');
    assert.equal((m.config as { tokenizer: string }).tokenizer, STORIES_TOK);
  } finally {
    console.error = log;
    closeDatabase(db);
  }
});

test('a folder with two checkpoints lists them; an empty folder and a non-model file say so in words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-pick-'));
  copyFileSync(STORIES_BIN, join(dir, 'a.bin'));
  copyFileSync(STORIES_BIN, join(dir, 'b.bin'));
  copyFileSync(STORIES_TOK, join(dir, 'tok512.bin'));
  assert.throws(() => resolveModelPath(dir), /holds 2 model files \(a\.bin, b\.bin\); choose one/);
  const empty = mkdtempSync(join(tmpdir(), 'trimllm-pick-'));
  assert.throws(() => resolveModelPath(empty), /no model found in this folder/);
  const text = join(empty, 'notes.bin');
  writeFileSync(text, 'these are my exam questions, not a model at all');
  await assert.rejects(loadModel(text), (e: Error) => {
    assert.match(e.message, /not a model file this app can read/);
    assert.doesNotMatch(e.message, /header values|\[\d/);
    return true;
  });
});

test('dataset names: the folder for a split-named file, else the file name without extension', () => {
  assert.equal(defaultDatasetName('/data/medmcqa/dev.json'), 'medmcqa');
  assert.equal(defaultDatasetName('/data/x/train-00000-of-00001.parquet'), 'x');
  assert.equal(defaultDatasetName('/data/grimm/grimms_fairy_tales.txt'), 'grimms_fairy_tales');
  assert.equal(defaultDatasetName('/data/piqa'), 'piqa');
});

test('folder browser: lists inside the roots, refuses outside paths and links that leave them', () => {
  const root = mkdtempSync(join(tmpdir(), 'trimllm-root-'));
  const outside = mkdtempSync(join(tmpdir(), 'trimllm-out-'));
  mkdirSync(join(root, 'models'));
  writeFileSync(join(root, 'q.json'), '[]');
  writeFileSync(join(root, '.hidden'), '');
  symlinkSync(outside, join(root, 'escape'));
  const roots = [{ label: 'Home', path: root }];
  assert.deepEqual(browseFolder(undefined, roots).entries, []);
  const listing = browseFolder(root, roots);
  assert.deepEqual(listing.entries.map((e) => [e.name, e.kind, e.bytes]), [['models', 'folder', null], ['q.json', 'file', 2]]);
  assert.equal(listing.parent, null, 'no way up out of the root');
  assert.equal(browseFolder(join(root, 'models'), roots).parent, listing.path);
  assert.throws(() => browseFolder(outside, roots), /outside the places/);
  assert.throws(() => browseFolder(join(root, 'escape'), roots), /outside the places/);
  assert.throws(() => browseFolder(join(root, '..'), roots), /outside the places/);
  assert.throws(() => browseFolder(join(root, 'q.json'), roots), /not a folder/);
});
