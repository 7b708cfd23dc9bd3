// The Datasets page's form: detected task/mapping belong to the previewed path only (tester's issue: pubmedqa's
// mapping carried into the mmlu preview and a piqa mapping into a sharegpt import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetFormReducer, datasetRequest, initialDatasetForm, type DatasetFormAction, type DatasetFormState } from '../../renderer/src/lib/dataset-form.ts';

type S = DatasetFormState<string>;
const run = (actions: DatasetFormAction<string>[], from: S = initialDatasetForm<string>()): S => actions.reduce(datasetFormReducer<string>, from);
const pubmed = '../shared/datasets/pubmedqa/ori_pqal.json';
const mmlu = '../shared/datasets/mmlu_professional_law';

test('changing the path resets the detected task and mapping to "detect automatically" and clears the preview', () => {
  const s = run([
    { type: 'path', value: pubmed },
    { type: 'previewed', path: pubmed, preview: 'pubmed preview', taskType: 'yesno', mapping: 'question=QUESTION,answer=final_decision' },
  ]);
  assert.equal(s.task, 'yesno');
  assert.equal(s.map, 'question=QUESTION,answer=final_decision');
  assert.equal(s.preview, 'pubmed preview');
  assert.equal(s.previewedWith, JSON.stringify(datasetRequest(pubmed, 'yesno', 'question=QUESTION,answer=final_decision')));

  const next = run([{ type: 'path', value: mmlu }], s);
  assert.deepEqual({ task: next.task, map: next.map, preview: next.preview, previewedWith: next.previewedWith }, { task: '', map: '', preview: null, previewedWith: '' });
  assert.deepEqual(datasetRequest(next.path, next.task, next.map), { path: mmlu }, 'the next preview detects afresh');
});

test('values the user typed survive a path change; edits after a preview are kept', () => {
  const s = run([
    { type: 'path', value: pubmed },
    { type: 'previewed', path: pubmed, preview: 'p', taskType: 'yesno', mapping: 'question=QUESTION' },
    { type: 'map', value: 'question=CONTEXTS' }, // explicit edit after the preview
    { type: 'path', value: mmlu },
  ]);
  assert.equal(s.task, '', 'the detected task is reset');
  assert.equal(s.map, 'question=CONTEXTS', 'the typed mapping is kept');
  assert.equal(s.preview, null);

  const typedFirst = run([{ type: 'task', value: 'mcq' }, { type: 'path', value: mmlu }, { type: 'previewed', path: mmlu, preview: 'm', taskType: 'mcq', mapping: 'question=col1' }, { type: 'path', value: pubmed }]);
  assert.equal(typedFirst.task, 'mcq', 'a task chosen by the user is not reset');
  assert.equal(typedFirst.map, '', 'the detected mapping is');
});

test('whitespace-only path edits keep the preview; a preview answer for an older path is ignored', () => {
  const s = run([{ type: 'path', value: mmlu }, { type: 'previewed', path: mmlu, preview: 'm', taskType: 'mcq', mapping: 'question=col1' }, { type: 'path', value: `${mmlu} ` }]);
  assert.equal(s.preview, 'm');
  const late = run([{ type: 'path', value: pubmed }, { type: 'previewed', path: mmlu, preview: 'old', taskType: 'mcq', mapping: 'question=col1' }], s);
  assert.equal(late.preview, null);
  assert.equal(late.map, '');
});
