// Datasets and models: an import lands whole or not at all; records read back in order; deletes guarded by runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeDatabase, openDatabase } from '../../electron/store/db.ts';
import type { Database } from '../../electron/store/driver.ts';
import {
  type NewDataset,
  type NewRecord,
  deleteDataset,
  getDataset,
  getRecords,
  importDataset,
  listDatasets,
  listRecords,
} from '../../electron/store/datasets.ts';
import { deleteModel, findModelsBySha256, getModel, insertModel, listModels } from '../../electron/store/models.ts';
import { createRun } from '../../electron/store/runs.ts';

const META: NewDataset = {
  name: 'pubmed-qa',
  source: '/data/pubmedqa.jsonl',
  format: 'jsonl',
  taskType: 'yesno',
  mapping: { question: 'QUESTION', answer: 'final_decision' },
};

function count(db: Database, table: string): number {
  return db.prepare<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;
}

function* records(n: number): Generator<NewRecord> {
  for (let i = 0; i < n; i++) {
    yield { split: i % 10 === 0 ? 'validation' : i % 10 === 1 ? 'test' : 'train', payload: { question: `q${i}`, answer: i % 2 === 0 ? 'yes' : 'no' } };
  }
}

test('a dataset imports with its records, counted and numbered per split', () => {
  const db = openDatabase(':memory:');
  const id = importDataset(db, META, records(100));
  const ds = getDataset(db, id)!;
  assert.equal(ds.name, 'pubmed-qa');
  assert.equal(ds.taskType, 'yesno');
  assert.deepEqual(ds.mapping, META.mapping);
  assert.deepEqual(ds.counts, { train: 80, validation: 10, test: 10 });
  assert.equal(typeof ds.createdAt, 'number');
  assert.deepEqual(listDatasets(db).map((d) => d.id), [id]);

  const validation = listRecords(db, id, 'validation');
  assert.equal(validation.length, 10);
  assert.deepEqual(validation.map((r) => r.idx), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(validation[3]!.payload, { question: 'q30', answer: 'yes' });
  assert.deepEqual(listRecords(db, id, 'train', { offset: 5, limit: 2 }).map((r) => r.idx), [5, 6]);
  assert.deepEqual(listRecords(db, id, 'train', { offset: 79 }).map((r) => r.idx), [79]);
  assert.throws(() => listRecords(db, id, 'train', { limit: -1 }), /limit must be a non-negative integer/);

  const sample = getRecords(db, id, 'validation', [7, 2]);
  assert.deepEqual(sample.map((r) => (r.payload as { question: string }).question), ['q70', 'q20']);
  assert.throws(() => getRecords(db, id, 'validation', [10]), /has no validation record at position 10/);
  closeDatabase(db);
});

test('a failing insert in the middle of an import leaves no rows at all', () => {
  const db = openDatabase(':memory:');
  function* poisoned(): Generator<NewRecord> {
    yield* records(500);
    yield { split: 'dev' as 'train', payload: { question: 'bad split' } }; // rejected by the CHECK
    yield* records(500);
  }
  assert.throws(
    () => importDataset(db, META, poisoned()),
    /importing dataset "pubmed-qa" failed, nothing was imported: record 500 \(split "dev"\): CHECK constraint failed/,
  );
  assert.equal(count(db, 'datasets'), 0);
  assert.equal(count(db, 'records'), 0);

  // a payload with no JSON form fails the same way, as does an iterator that throws
  assert.throws(() => importDataset(db, META, [{ split: 'train', payload: 1 }, { split: 'train', payload: 10n }]), /record 1/);
  function* throwing(): Generator<NewRecord> {
    yield* records(3);
    throw new Error('parse error on line 4');
  }
  assert.throws(() => importDataset(db, META, throwing()), /parse error on line 4/);
  assert.equal(count(db, 'datasets'), 0);
  assert.equal(count(db, 'records'), 0);

  // the database is still usable afterwards
  importDataset(db, META, records(3));
  assert.equal(count(db, 'records'), 3);
  closeDatabase(db);
});

test('models register, are found by checksum, and cannot be deleted while a run uses them', () => {
  const db = openDatabase(':memory:');
  const sha = 'a'.repeat(64);
  const modelId = insertModel(db, {
    name: 'stories260K', sourceKind: 'path', source: '/models/stories260K.bin', format: 'llama2c',
    architecture: 'LlamaForCausalLM', sha256: sha, config: { dim: 64, nLayers: 5 }, paramBytes: 1_000_000,
  });
  const hub = insertModel(db, {
    name: 'SmolLM2', sourceKind: 'hub', source: 'HuggingFaceTB/SmolLM2-135M', revision: 'main', format: 'safetensors',
    config: { hidden_size: 576 },
  });
  const model = getModel(db, modelId)!;
  assert.deepEqual(model.config, { dim: 64, nLayers: 5 });
  assert.equal(model.revision, null);
  assert.equal(model.paramBytes, 1_000_000);
  assert.deepEqual(listModels(db).map((m) => m.id), [hub, modelId]);
  assert.deepEqual(findModelsBySha256(db, sha.toUpperCase()).map((m) => m.id), [modelId]);
  assert.throws(() => insertModel(db, { ...model, config: undefined }), /cannot store model config as JSON/);

  const datasetId = importDataset(db, META, records(3));
  const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
  assert.throws(() => deleteModel(db, modelId), new RegExp(`base of 1 run\\(s\\) \\(ids ${runId}\\)`));
  assert.throws(() => deleteDataset(db, datasetId), /delete those runs first/);
  assert.equal(deleteModel(db, hub), true);
  assert.equal(deleteModel(db, hub), false);
  assert.equal(getModel(db, hub), undefined);
  closeDatabase(db);
});
