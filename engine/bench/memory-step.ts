/**
 * One training step of a bench shape on the wasm backend, its byte accounting (engine/train/memory.ts) printed
 * beside what it used: the wasm heap's size after the step (the heap only grows, so this is its peak) and the
 * process's peak RSS. Heavy for the large shapes: run it alone.
 *
 *   node --import tsx engine/bench/memory-step.ts --shape SmolLM2-360M --seq 128 --ratio 0.25
 *
 * Trainable sub-layers: ⌈ratio · 2L⌉ spread evenly over the model, the first included (so every block's
 * activations are kept for backward: the worst case of a ratio). Learning rate 0 (all of AdamW's work, weights
 * unchanged). Prints one JSON line on stdout.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select.ts';
import { keptNames } from '../model/sublayers.ts';
import { makeBatch } from '../train/batch.ts';
import { checkStepFits, spreadMask } from '../train/memory.ts';
import { Trainer } from '../train/trainer.ts';
import { randomTokenExamples } from './measure.ts';
import { BENCH_WEIGHT_SEED, randomModel } from './random-weights.ts';
import { findShapes } from './shapes.ts';

/** Size of the wasm backend's heap, bytes (null on other backends). */
function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { shape: { type: 'string' }, seq: { type: 'string', default: '128' }, ratio: { type: 'string', default: '1' }, batch: { type: 'string', default: '1' } },
    strict: true,
  });
  const shape = findShapes([values.shape ?? 'SmolLM2-135M'])[0]!;
  if (shape.weights.kind !== 'random') throw new Error('memory-step takes a random-weight shape');
  await selectBackend('wasm');
  const config = shape.weights.config;
  const seq = Number(values.seq);
  const batchRows = Number(values.batch);
  const trainable = spreadMask(2 * config.nLayers, Number(values.ratio));
  const fit = checkStepFits(config, { batch: batchRows, seq, trainable });
  process.stderr.write(`${shape.name}: accounting ${(fit.memory.total / 2 ** 30).toFixed(2)} GiB ${fit.message ?? '(fits)'}\n`);
  const model = randomModel(config, BENCH_WEIGHT_SEED);
  const trainer = new Trainer(model, { trainable: { subLayers: keptNames(trainable) } });
  const start = performance.now();
  let ok = true;
  let error: string | null = null;
  try {
    await trainer.trainStep([makeBatch(randomTokenExamples(batchRows, seq, config.vocabSize, 5))], 0);
  } catch (e) {
    ok = false;
    error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
  const row = {
    shape: shape.name, seq, batch: batchRows, ratio: Number(values.ratio), trainableSubLayers: keptNames(trainable).length,
    completed: ok, error, stepSeconds: (performance.now() - start) / 1000, accounting: fit.memory,
    wasmHeapBytes: wasmHeapBytes(), peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
  trainer.dispose();
  model.dispose();
}

main().catch((e: unknown) => {
  process.stderr.write(`memory-step: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
