/**
 * `trimllm bench` (also `npm run bench`):
 * - without --model/--checkpoint: the bench suite (engine/bench): stories260K and random-weight models of the
 *   stories15M, stories110M and SmolLM2-135M shapes, each in its own child process, at 100%, 75% and 50% kept
 *   sub-layers — prefill/decode/training tokens/s, scan seconds, peak RSS, parameter bytes, the measured
 *   speed-up next to the ideal one (FLOPs) and the matvec ceiling;
 * - with --model M or --checkpoint ID: that model, full vs trimmed (its keep mask and/or --drop), side by side.
 */
import { writeFileSync } from 'node:fs';
import { makeFolder } from '../../../engine/io/folders.ts';
import { dirname } from 'node:path';
import { benchmarkThroughput } from '../../../engine/eval/throughput.ts';
import { DEFAULT_BENCH_SETTINGS, QUICK_BENCH_SETTINGS, type BenchSettings } from '../../../engine/bench/measure.ts';
import { BENCH_SHAPES, QUICK_SHAPES } from '../../../engine/bench/shapes.ts';
import { formatBenchNotes, formatBenchTables, runBenchSuite } from '../../../engine/bench/suite.ts';
import { flopsPerToken } from '../../../engine/model/params.ts';
import { fullKeepMask, keptNames } from '../../../engine/model/sublayers.ts';
import { loadModelFromFlags, MODEL_OPTIONS, numberOption, parse, threadsFlag, UsageError } from '../args.ts';
import { DEFAULT_THREADS_SETTINGS, runThreadsBench } from '../../../engine/bench/threads.ts';
import { selectBackend, parseBackendName } from '../../../engine/backend/select.ts';

/** Help text of the command. */
export const help = `trimllm bench [--shapes stories260K,stories15M,stories110M,SmolLM2-135M] [--runs 5] [--quick]
               [--json FILE] [--prompt-tokens 128] [--new-tokens 128] [--backend NAME]
  The bench suite (npm run bench): stories260K (real weights, ../shared) and random-weight models with the shapes
  of stories15M, stories110M and SmolLM2-135M, each in a fresh child process, at 100%, 75% and 50% kept
  sub-layers (fixed masks: alternating mlp/attn dropped from the top). Prints prefill and decode tokens/s (batch 1,
  KV cache, median and min–max of the runs after warm-up), the measured decode speed-up next to the ideal one
  (FLOPs per token, full / trimmed) and their ratio, decode ms/token beside the time of the same step's
  matrix-vector products alone (same backend op, timed in the same rounds) and their ratio, the matvec ceiling
  (measured memory bandwidth / bytes per token), one training step's tokens/s, one calibration scan's seconds with
  prefix reuse and naive (a full forward pass per candidate) side by side, parameter bytes and peak RSS.
  --quick: CI-sized (stories260K and stories15M, 32-token prompt and decode). --json FILE writes the rows.
  --threads 1,2: training, scan and decode on each thread count side by side (default shapes stories15M,
  stories110M), with the matMul roofline of each; rows carry \`threads\`.

trimllm bench (--model M | --checkpoint ID) [--drop ...] [--prompt-tokens 128] [--new-tokens 128]
               [--runs 5] [--json]
  Measures the full model and the trimmed one (the checkpoint's keep mask and/or --drop) in one process:
  prefill and decode tokens/s (batch 1, KV cache, warm-up excluded, median of runs), parameter bytes, and the
  measured speed-up next to the ideal one (FLOPs per token, full / trimmed).`;

const hasModelFlag = (argv: string[]) =>
  argv.some((a) => a === '--model' || a === '--checkpoint' || a.startsWith('--model=') || a.startsWith('--checkpoint='));

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  return hasModelFlag(argv) ? runModel(argv) : runSuite(argv);
}

function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  const n = numberOption(value, flag, fallback);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** The suite (no model given). */
async function runSuite(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    shapes: { type: 'string' }, runs: { type: 'string' }, quick: { type: 'boolean', default: false },
    json: { type: 'string' }, 'prompt-tokens': { type: 'string' }, 'new-tokens': { type: 'string' },
    backend: { type: 'string' }, threads: { type: 'string' },
  });
  if (values.threads !== undefined) return runThreads(values);
  const base = values.quick ? QUICK_BENCH_SETTINGS : DEFAULT_BENCH_SETTINGS;
  const settings: BenchSettings = {
    ...base,
    runs: positiveInteger(values.runs, 'runs', base.runs),
    promptTokens: positiveInteger(values['prompt-tokens'], 'prompt-tokens', base.promptTokens),
    newTokens: positiveInteger(values['new-tokens'], 'new-tokens', base.newTokens),
  };
  const shapes = values.shapes
    ? values.shapes.split(',').map((s) => s.trim()).filter((s) => s !== '')
    : values.quick ? [...QUICK_SHAPES] : BENCH_SHAPES.map((s) => s.name);
  if (shapes.length === 0) throw new UsageError('--shapes is empty');
  let result;
  try {
    result = await runBenchSuite({
      shapes, settings, ...(values.backend ? { backend: values.backend } : {}),
      onProgress: (line) => process.stderr.write(`  ${line}\n`),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  console.log(formatBenchTables(result.rows));
  console.log(`\n${formatBenchNotes(result.rows, settings, result.load)}`);
  console.log(`total ${result.seconds.toFixed(0)} s`);
  for (const f of result.failures) console.error(`bench ${f.shape} failed: ${f.message}`);
  if (values.json) {
    makeFolder(dirname(values.json));
    writeFileSync(values.json, `${JSON.stringify({ settings, seconds: result.seconds, load: result.load, rows: result.rows }, null, 2)}\n`);
    console.log(`rows written to ${values.json}`);
  }
  return result.failures.length > 0 ? 1 : 0;
}

/** `--threads 1,2`: the same work on each thread count, interleaved (engine/bench/threads.ts). */
async function runThreads(values: { shapes?: string; runs?: string; threads?: string; json?: string; backend?: string }): Promise<number> {
  const threads = values.threads!.split(',').map((t) => threadsFlag(t.trim()));
  const shapes = (values.shapes ?? 'stories15M,stories110M').split(',').map((s) => s.trim()).filter((s) => s !== '');
  await selectBackend(values.backend ? parseBackendName(values.backend) : 'wasm');
  const settings = { ...DEFAULT_THREADS_SETTINGS, threads, runs: positiveInteger(values.runs, 'runs', DEFAULT_THREADS_SETTINGS.runs) };
  const rows = await runThreadsBench(shapes, settings, (line) => process.stderr.write(`  ${line}\n`));
  for (const r of rows) {
    console.log(`${r.shape.padEnd(14)} threads ${r.threads}  train ${r.trainTokensPerSecond.toFixed(1)} tok/s (${(100 * r.trainRooflineFraction).toFixed(1)}% of matMul roofline)  ` +
      `scan ${r.scanSeconds.toFixed(2)} s (${(100 * r.scanRooflineFraction).toFixed(1)}%)  decode ${r.decodeTokensPerSecond?.toFixed(1) ?? '-'} tok/s  load ${r.load1.toFixed(1)}`);
  }
  if (values.json) {
    makeFolder(dirname(values.json));
    writeFileSync(values.json, `${JSON.stringify({ settings, rows }, null, 2)}\n`);
    console.log(`rows written to ${values.json}`);
  }
  return 0;
}

/** One model (--model or --checkpoint): full vs trimmed. */
async function runModel(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS, 'prompt-tokens': { type: 'string' }, 'new-tokens': { type: 'string' }, runs: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const loaded = await loadModelFromFlags(values);
  try {
    const { model } = loaded;
    const options = {
      promptTokens: numberOption(values['prompt-tokens'], 'prompt-tokens', 128),
      newTokens: numberOption(values['new-tokens'], 'new-tokens', 128),
      runs: numberOption(values.runs, 'runs', 5),
    };
    const masks = [
      { name: 'full', keep: fullKeepMask(model.config.nLayers) },
      { name: 'trimmed', keep: model.keepMask },
    ];
    const rows = [];
    for (const m of masks) {
      const r = await benchmarkThroughput(model, { ...options, keep: m.keep });
      rows.push({ name: m.name, kept: keptNames(m.keep).length, ...r, flops: flopsPerToken(model.config, m.keep, options.promptTokens + options.newTokens / 2) });
    }
    const [full, trimmed] = rows as [(typeof rows)[0], (typeof rows)[0]];
    const summary = {
      rows,
      measuredDecodeSpeedup: trimmed.decodeTokensPerSecond / full.decodeTokensPerSecond,
      idealSpeedup: full.flops / trimmed.flops,
    };
    if (values.json) {
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    console.log(`${'model'.padEnd(9)}${'kept'.padStart(6)}${'param bytes'.padStart(14)}${'prefill tok/s'.padStart(15)}${'decode tok/s'.padStart(14)}${'decode spread'.padStart(18)}`);
    for (const r of rows) {
      const spread = `${r.spread.decodeTokensPerSecond.min.toFixed(0)}–${r.spread.decodeTokensPerSecond.max.toFixed(0)}`;
      console.log(`${r.name.padEnd(9)}${`${r.kept}/${2 * model.config.nLayers}`.padStart(6)}${r.paramBytes.toLocaleString('en').padStart(14)}${r.prefillTokensPerSecond.toFixed(1).padStart(15)}${r.decodeTokensPerSecond.toFixed(1).padStart(14)}${spread.padStart(18)}`);
    }
    console.log(`decode speed-up: measured ${summary.measuredDecodeSpeedup.toFixed(2)}×, ideal (FLOPs) ${summary.idealSpeedup.toFixed(2)}×, ratio ${(summary.measuredDecodeSpeedup / summary.idealSpeedup).toFixed(2)} (backend ${full.backend}, median of ${options.runs})`);
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
