// The wasm heap a training step takes stays within train/memory.ts's accounting (what `trimllm plan` and the
// fit check before a run rely on), on a shape whose weights dominate: no copy of a weight saved for backward
// (wasm Identity shares its input), no packed copy kept on a weight while training, none left by inference
// before the step (engine/backend/wasm-kernels.ts), no transposed tied head (engine/model/llama.ts). Before
// those, this step took the weights' bytes several times over. Bytes, not times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { randomModel } from '../../engine/bench/random-weights.ts';
import { randomTokenExamples } from '../../engine/bench/measure.ts';
import { llamaShape } from '../../engine/bench/shapes.ts';
import { keptNames } from '../../engine/model/sublayers.ts';
import { disposeBatch, makeBatch, toTensors } from '../../engine/train/batch.ts';
import { spreadMask, trainingStepMemory } from '../../engine/train/memory.ts';
import { Trainer } from '../../engine/train/trainer.ts';

const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;

test('a training step after inference grows the wasm heap by less than its accounting beyond the weights', async () => {
  await selectBackend('wasm');
  const config = llamaShape({ dim: 512, nLayers: 4, nHeads: 8, hiddenDim: 2048, vocabSize: 8192, maxSeqLen: 64, tiedEmbeddings: true });
  const seq = 32;
  const trainable = spreadMask(2 * config.nLayers, 0.125);
  const model = randomModel(config, 3);
  const trainer = new Trainer(model, { trainable: { subLayers: keptNames(trainable) } });
  const batch = makeBatch(randomTokenExamples(1, seq, config.vocabSize, 5));
  try {
    const inputs = toTensors(batch);
    tf.dispose(model.forward(inputs.ids).logits); // inference packs every weight (a calibration scan would)
    disposeBatch(inputs);
    const before = heapBytes();
    await trainer.trainStep([batch], 0);
    const m = trainingStepMemory(config, { batch: 1, seq, trainable });
    const growth = heapBytes() - before;
    // Emscripten grows the heap by up to 20% of its size at once: that much slack over the accounting.
    assert.ok(growth <= m.total - m.weights + 0.2 * before, `heap grew ${growth} bytes; accounted beyond the weights ${m.total - m.weights}`);
    process.stdout.write(`# heap ${before} → ${heapBytes()} bytes, accounted beyond the weights ${m.total - m.weights}, weights ${m.weights}\n`);
  } finally {
    trainer.dispose();
    model.dispose();
  }
});
