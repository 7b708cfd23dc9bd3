// A dataset too small for a run: the error names the split and why, and the API answers 400 (the user's to fix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetSplitError, importDataset } from '../../engine/data/index.ts';
import { loadTokenizer } from '../../engine/io/load-model.ts';
import { prepareTask } from '../../engine/trim/prepare.ts';
import { statusOf } from '../../electron/server/errors.ts';
import { STORIES_TOK } from '../helpers/shared.ts';

test('a split without a usable example: DatasetSplitError naming the split and why; HTTP 400', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-split-'));
  const file = join(dir, 'one.jsonl');
  writeFileSync(file, JSON.stringify({ question: 'Is 2 even?', answer: 'yes' }));
  const data = await importDataset(file);
  const tokenizer = await loadTokenizer(STORIES_TOK, 512);
  const error = (() => {
    try {
      prepareTask(tokenizer, data.taskType, data.records, { maxSeqLen: 512 });
    } catch (e) {
      return e;
    }
    return null;
  })();
  assert.ok(error instanceof DatasetSplitError, String(error));
  assert.match(error.message, /^the (train|validation|test) split has no usable example \(it has no record\); a run needs at least one in each of train, validation and test/);
  assert.equal(statusOf(error), 400);
  assert.equal(statusOf(new Error('engine failure')), 500);
});
