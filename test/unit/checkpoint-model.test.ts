import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadStories, STORIES_BIN, STORIES_TOK, storiesReference as ref } from '../helpers/shared.ts';
import { Trainer, trainEpoch } from '../../engine/train/index.ts';
import { snapshotSubLayers } from '../../engine/trim/pipeline.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';
import type { LlamaModel } from '../../engine/model/llama.ts';
import { loadCheckpointModel } from '../../electron/app/checkpoint-model.ts';
import { closeDatabase, createRun, importDataset, insertModel, openDatabase, saveCheckpoint } from '../../electron/store/index.ts';

async function logits(model: LlamaModel): Promise<Float32Array> {
  const ids = tf.tensor2d([ref.prompt_ids], undefined, 'int32');
  const out = model.forward(ids).logits;
  const data = (await out.data()) as Float32Array;
  tf.dispose([ids, out]);
  return data;
}

test('a checkpoint loaded back from SQLite gives bit-identical logits to the model at save time', async () => {
  const { model, tokenizer } = await loadStories('wasm');
  const db = openDatabase(':memory:');
  try {
    // fine-tune two sub-layers a little, then drop another: the state a TrimLLM checkpoint captures
    const trainable = [...keepMaskWithout(5, ['attn0', 'mlp0', 'attn1', 'mlp1', 'attn2', 'mlp2', 'attn3', 'mlp4'])]; // mlp3, attn4
    const ids = tokenizer!.encode('Once upon a time, there was a little girl named Lily. She loved to play outside.');
    const trainer = new Trainer(model, { trainable: { subLayers: ['mlp3', 'attn4'] } });
    await trainEpoch(trainer, [{ inputIds: ids, lossMask: ids.map((_, i) => (i > 0 ? 1 : 0)) }], {
      microBatchSize: 1, seed: 1, totalSteps: 3, schedule: { peakLr: 1e-2, warmupSteps: 0, minLrRatio: 1 },
    });
    trainer.optimizer.dispose();
    model.keepMask = keepMaskWithout(5, ['attn2']);
    const expected = await logits(model);

    const modelId = insertModel(db, { name: 's', sourceKind: 'path', source: STORIES_BIN, format: 'llama2c', config: { tokenizer: STORIES_TOK } });
    const datasetId = importDataset(db, { name: 'd', source: 'x', format: 'jsonl', taskType: 'text', mapping: {} }, [{ split: 'train', payload: { text: 'a' } }]);
    const runId = createRun(db, { modelId, datasetId, config: {}, seed: 1 });
    const checkpointId = saveCheckpoint(db, {
      runId, step: 1, epoch: 1, keepMask: model.keepMask, trainableMask: trainable, paramBytes: 1,
      tensors: await snapshotSubLayers(model, trainable),
    });
    const back = await loadCheckpointModel(db, checkpointId);
    try {
      assert.deepEqual(back.model.keepMask, model.keepMask);
      const got = await logits(back.model);
      assert.deepEqual(Buffer.from(got.buffer), Buffer.from(expected.buffer)); // bit for bit
      const base = await loadStories('wasm');
      base.model.keepMask = model.keepMask;
      const untrained = await logits(base.model);
      base.model.dispose();
      assert.notDeepEqual(Buffer.from(untrained.buffer), Buffer.from(expected.buffer)); // the training did change it
    } finally {
      back.model.dispose();
    }
  } finally {
    model.dispose();
    closeDatabase(db);
  }
});
