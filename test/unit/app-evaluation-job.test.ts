// Evaluation jobs (issue 18): cells stored once each, reused on a repeated request, a cancelled job resumed to the
// same matrix as an uninterrupted one, and values equal to the evaluator's on the same records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../engine/backend/select.ts';
import { loadModel } from '../../engine/io/load-model.ts';
import { prepareEvaluable } from '../../engine/trim/prepare.ts';
import { evaluateMultipleChoice } from '../../engine/eval/multiple-choice.ts';
import type { NormalisedRecord } from '../../engine/data/index.ts';
import { openDatabase, createRun, saveCheckpoint, listRecords, listCells, listEvaluations, type Database } from '../../electron/store/index.ts';
import { registerModel } from '../../electron/app/import-model.ts';
import { registerDataset } from '../../electron/app/import-dataset.ts';
import { planEvaluation, runEvaluationJob, templateKey, type EvaluationRequest } from '../../electron/app/evaluation-job.ts';
import { sharedPath, STORIES_BIN } from '../helpers/shared.ts';

interface Fixture { db: Database; request: EvaluationRequest; medmcqa: number }

async function fixture(): Promise<Fixture> {
  const { backend } = await selectBackend();
  assert.ok(backend);
  const db = openDatabase(':memory:');
  const modelId = await registerModel(db, STORIES_BIN);
  const medmcqa = await registerDataset(db, sharedPath('datasets/medmcqa'));
  const economics = await registerDataset(db, sharedPath('datasets/mmlu_economics'));
  const runId = createRun(db, { modelId, datasetId: medmcqa, config: {}, seed: 1 });
  const keepMask = Array.from({ length: 10 }, (_, i) => i !== 3);
  const cp = saveCheckpoint(db, { runId, step: 1, epoch: 1, keepMask, trainableMask: keepMask, paramBytes: 8, tensors: [] });
  return { db, medmcqa, request: { models: [{ modelId }, { checkpointId: cp }], datasetIds: [medmcqa, economics], split: 'test', maxRecords: 6 } };
}

const matrix = (db: Database) => listCells(db).map((c) => [c.modelId, c.checkpointId, c.datasetId, c.metric, c.value, c.stderr, c.recordCount, c.metrics]);

test('an evaluation job stores one row per cell, with the evaluator\'s acc/acc_norm and the harness stderr', async () => {
  const { db, request, medmcqa } = await fixture();
  const events: string[] = [];
  const out = await runEvaluationJob(db, request, { backend: 'test', onProgress: (p) => { if (p.phase !== 'scoring') events.push(`${p.phase} ${p.cellsDone}/${p.cellsTotal}`); } });
  assert.equal(out.status, 'completed');
  assert.deepEqual([out.computed, out.reused], [4, 0]);
  assert.deepEqual(events, ['stored 1/4', 'stored 2/4', 'stored 3/4', 'stored 4/4']);
  const cells = listCells(db);
  assert.equal(cells.length, 4);
  const base = cells.find((c) => c.checkpointId === null && c.datasetId === medmcqa)!;
  assert.equal(base.recordCount, 6);
  assert.equal(base.template, templateKey('mcq'));
  assert.equal(base.template, JSON.stringify({ mcq: 'Question: {question}\nAnswer:', targetDelimiter: ' ' }));
  // The same records through the evaluator directly.
  const loaded = await loadModel(STORIES_BIN);
  const records = listRecords(db, medmcqa, 'test').map((r) => r.payload as NormalisedRecord);
  const ev = prepareEvaluable(loaded.tokenizer!, 'mcq', records, { maxSeqLen: loaded.model.config.maxSeqLen, maxEval: 6, seed: 0 });
  assert.equal(ev.kind, 'choice');
  const direct = await evaluateMultipleChoice(loaded.model, loaded.tokenizer!, ev.kind === 'choice' ? ev.items : []);
  loaded.model.dispose();
  assert.equal(base.value, direct.acc);
  assert.equal(base.metrics.acc_norm, direct.accNorm);
  const p = direct.acc;
  assert.ok(Math.abs(base.stderr! - Math.sqrt((p * (1 - p)) / 5)) < 1e-12, 'harness mean_stderr = sqrt(p(1-p)/(n-1))');
});

test('a repeated request reuses every stored cell and writes no row', async () => {
  const { db, request } = await fixture();
  await runEvaluationJob(db, request, { backend: 'test' });
  const before = listEvaluations(db).length;
  assert.equal(planEvaluation(db, request).filter((c) => c.stored).length, 4);
  const again = await runEvaluationJob(db, request, { backend: 'test' });
  assert.deepEqual([again.computed, again.reused, again.status], [0, 4, 'completed']);
  assert.equal(listEvaluations(db).length, before);
  // A different record limit is a different cell.
  assert.equal(planEvaluation(db, { ...request, maxRecords: 5 }).filter((c) => c.stored).length, 0);
});

test('a job cancelled mid-cell keeps only whole cells; resuming gives the uninterrupted matrix', async () => {
  const whole = await fixture();
  await runEvaluationJob(whole.db, whole.request, { backend: 'test' });
  const { db, request } = await fixture();
  const controller = new AbortController();
  const out = await runEvaluationJob(db, request, {
    backend: 'test', signal: controller.signal,
    onProgress: (p) => { if (p.cellsDone === 2 && p.phase === 'scoring' && p.itemsDone > 0) controller.abort(); },
  });
  assert.equal(out.status, 'cancelled');
  assert.equal(listCells(db).length, 2, 'the cell being scored left no row');
  const resumed = await runEvaluationJob(db, request, { backend: 'test' });
  assert.deepEqual([resumed.computed, resumed.reused], [2, 2]);
  assert.deepEqual(matrix(db), matrix(whole.db));
});

test('unknown models, checkpoints and datasets are named', async () => {
  const { db, request } = await fixture();
  assert.throws(() => planEvaluation(db, { ...request, models: [{ checkpointId: 99 }] }), /no checkpoint 99/);
  assert.throws(() => planEvaluation(db, { ...request, datasetIds: [42] }), /no dataset 42/);
  assert.throws(() => planEvaluation(db, { ...request, maxRecords: 0 }), /positive whole number/);
});
