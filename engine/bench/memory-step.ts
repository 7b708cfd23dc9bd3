/**
 * One training step of a bench shape on the wasm backend, its byte accounting (engine/train/memory.ts) printed
 * beside what it used: the wasm heap's size after the step (the heap only grows, so this is its peak) and the
 * process's peak RSS. Heavy for the large shapes: run it alone.
 *
 *   node --import tsx engine/bench/memory-step.ts                  # the MEMORY_STEPS table, one child each
 *   node --import tsx engine/bench/memory-step.ts --shape SmolLM2-360M --seq 128 --ratio 0.25 [--checkpoint]
 *
 * Trainable sub-layers: ⌈ratio · 2L⌉ spread evenly over the model, the first included (so every block's
 * activations are kept for backward: the worst case of a ratio). Before the step, one inference forward pass
 * over the same tokens (what a run does first: a calibration scan), so the packed copies inference leaves on
 * the weights are part of the measurement. `--checkpoint`: activation checkpointing per block (LlamaModel.
 * checkpointActivations). Learning rate 0 (all of AdamW's work, weights unchanged). With
 * `--shape`, prints one JSON line on stdout; without, runs each of MEMORY_STEPS in its own process (the heap
 * never shrinks) and prints their JSON lines, then a table.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select.ts';
import { keptNames } from '../model/sublayers.ts';
import { makeBatch, toTensors, disposeBatch } from '../train/batch.ts';
import { checkStepFits, HEAP_FACTOR, spreadMask, type StepMemory } from '../train/memory.ts';
import { Trainer } from '../train/trainer.ts';
import { randomTokenExamples } from './measure.ts';
import { BENCH_WEIGHT_SEED, randomModel } from './random-weights.ts';
import { findShapes } from './shapes.ts';

/** The steps the table measures (batch 1). */
export const MEMORY_STEPS: readonly { shape: string; ratio: number; seq: number; checkpoint: boolean }[] = [
  { shape: 'SmolLM2-135M', ratio: 0.25, seq: 128, checkpoint: false },
  { shape: 'SmolLM2-135M', ratio: 1, seq: 128, checkpoint: false },
  { shape: 'stories110M', ratio: 1, seq: 128, checkpoint: false },
  { shape: 'SmolLM2-360M', ratio: 0.25, seq: 128, checkpoint: false },
  { shape: 'SmolLM2-360M', ratio: 0.25, seq: 128, checkpoint: true },
  { shape: 'SmolLM2-360M', ratio: 0.25, seq: 512, checkpoint: true },
];

/** One measured step (the JSON line a child prints). */
interface MemoryRow {
  shape: string;
  seq: number;
  batch: number;
  ratio: number;
  /** Activation checkpointing on (LlamaModel.checkpointActivations). */
  checkpoint: boolean;
  trainableSubLayers: number;
  completed: boolean;
  error: string | null;
  stepSeconds: number;
  accounting: StepMemory;
  wasmHeapBytes: number | null;
  peakRssBytes: number;
}

/** Size of the wasm backend's heap, bytes (null on other backends). */
function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/** Measures one step in this process. */
async function measureStep(shapeName: string, seq: number, batchRows: number, ratio: number, checkpoint: boolean): Promise<MemoryRow> {
  const shape = findShapes([shapeName])[0]!;
  if (shape.weights.kind !== 'random') throw new Error('memory-step takes a random-weight shape');
  await selectBackend('wasm');
  const config = shape.weights.config;
  const trainable = spreadMask(2 * config.nLayers, ratio);
  const fit = checkStepFits(config, { batch: batchRows, seq, trainable, checkpointing: checkpoint });
  process.stderr.write(`${shape.name}: accounting ${(fit.memory.total / 2 ** 30).toFixed(2)} GiB ${fit.message ?? '(fits)'}\n`);
  const model = randomModel(config, BENCH_WEIGHT_SEED);
  model.checkpointActivations = checkpoint;
  const trainer = new Trainer(model, { trainable: { subLayers: keptNames(trainable) } });
  const batch = makeBatch(randomTokenExamples(batchRows, seq, config.vocabSize, 5));
  const start = performance.now();
  let error: string | null = null;
  try {
    const inputs = toTensors(batch);
    tf.dispose(model.forward(inputs.ids).logits); // inference first, as a run's calibration scan
    disposeBatch(inputs);
    await trainer.trainStep([batch], 0);
  } catch (e) {
    error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
  const row: MemoryRow = {
    shape: shape.name, seq, batch: batchRows, ratio, checkpoint, trainableSubLayers: keptNames(trainable).length,
    completed: error === null, error, stepSeconds: (performance.now() - start) / 1000, accounting: fit.memory,
    wasmHeapBytes: wasmHeapBytes(), peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  trainer.dispose();
  model.dispose();
  return row;
}

/** Runs `measureStep` in a child process (its own heap); resolves with its row. */
function measureInChild(step: (typeof MEMORY_STEPS)[number]): Promise<MemoryRow> {
  const args = ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), '--shape', step.shape, '--ratio', String(step.ratio), '--seq', String(step.seq)];
  if (step.checkpoint) args.push('--checkpoint');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as MemoryRow);
      else reject(new Error(`memory-step child for ${step.shape} exited with ${code}`));
    });
  });
}

const gb = (x: number | null) => (x === null ? '–' : (x / 1e9).toFixed(2));

/** The table: accounting beside the measured heap and peak RSS, GB (10⁹ bytes). */
function table(rows: readonly MemoryRow[]): string {
  const head = `| shape | tokens | trainable | checkpointing | accounted | × ${HEAP_FACTOR} (fit check) | wasm heap | peak RSS | inference + step |`;
  const lines = rows.map((r) =>
    `| ${r.shape} | ${r.seq} | ${r.trainableSubLayers} (r = ${r.ratio}) | ${r.checkpoint ? 'yes' : 'no'} | ${gb(r.accounting.total)} | ${gb(r.accounting.heapEstimate)} | ` +
    `${gb(r.wasmHeapBytes)} | ${gb(r.peakRssBytes)} | ${r.completed ? `completes, ${r.stepSeconds.toFixed(1)} s` : `aborts: ${r.error}`} |`,
  );
  return [head, '|---|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      shape: { type: 'string' }, seq: { type: 'string', default: '128' }, ratio: { type: 'string', default: '1' }, batch: { type: 'string', default: '1' },
      checkpoint: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.shape) {
    const row = await measureStep(values.shape, Number(values.seq), Number(values.batch), Number(values.ratio), values.checkpoint);
    process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const load = loadavg()[0]!;
  const rows: MemoryRow[] = [];
  for (const s of MEMORY_STEPS) {
    const row = await measureInChild(s);
    process.stdout.write(`${JSON.stringify(row)}\n`);
    rows.push(row);
  }
  process.stdout.write(`${table(rows)}\nload average (1 min) ${load.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`memory-step: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
