// Decode speed of the engine next to llama.cpp (node-llama-cpp) on the stories110M shape with random weights, at
// full depth and at 50% of the sub-layers kept (the bench drop order), measured side by side in one run:
// engine (wasm, batch 1, KV cache) and llama.cpp F32 / Q8_0 / Q4_0 exports at 1 and 2 threads; median of 3 runs
// of 64 new tokens after a 16-token prompt, the configurations interleaved round by round.
// Usage: nice -n 10 npx tsx scripts/bench-llama-cpp.ts [ROUNDS]   (prints a Markdown table and the load average;
// progress on stderr)
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../engine/backend/select.ts';
import { BENCH_WEIGHT_SEED, randomModel } from '../engine/bench/random-weights.ts';
import { benchKeepMask } from '../engine/bench/keep-masks.ts';
import { shapeByName } from '../engine/bench/shapes.ts';
import { benchmarkThroughput, median } from '../engine/eval/throughput.ts';
import { exportGguf } from '../engine/io/gguf-export.ts';
import type { GgufDtype } from '../engine/io/gguf-quant.ts';
import { readLlama2cTokenizer } from '../engine/io/llama2c-tokenizer.ts';
import { LlamaCppModel } from '../engine/runtime/llama-cpp.ts';

const TOKENIZER = new URL('../../shared/models/llama2-tokenizer.bin', import.meta.url).pathname;
const ROUNDS = Number(process.argv[2] ?? 3);
const PROMPT = 16;
const NEW = 64;
const shape = shapeByName('stories110M')!;
if (shape.weights.kind !== 'random') throw new Error('stories110M is expected to be a random shape');
const config = shape.weights.config;

await selectBackend('wasm');
const tokenizer = readLlama2cTokenizer(TOKENIZER, config.vocabSize);
const model = randomModel(config, BENCH_WEIGHT_SEED);
const dir = mkdtempSync(join(tmpdir(), 'trimllm-bench-gguf-'));
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
console.log(`stories110M shape, random weights; load average at start: ${load()}`);
const prompt = Array.from({ length: PROMPT }, (_, i) => (i * 7919 + 1) % config.vocabSize);
const rows: string[] = [];
try {
  for (const kept of [1, 0.5]) {
    model.keepMask = benchKeepMask(config.nLayers, kept);
    const files = new Map<GgufDtype, { path: string; bytes: number }>();
    for (const dtype of ['F32', 'Q8_0', 'Q4_0'] as const) {
      const path = join(dir, `${kept}-${dtype}.gguf`);
      files.set(dtype, { path, bytes: (await exportGguf(model, tokenizer, TOKENIZER, path, { dtype })).bytes });
      console.error(`exported ${kept * 100}% ${dtype}`);
    }
    const samples = new Map<string, number[]>();
    const add = (key: string, v: number) => samples.set(key, [...(samples.get(key) ?? []), v]);
    for (let round = 0; round < ROUNDS; round++) {
      add('engine', (await benchmarkThroughput(model, { promptTokens: PROMPT, newTokens: NEW, runs: 1, warmup: round === 0 ? 1 : 0 })).decodeTokensPerSecond);
      console.error(`round ${round + 1} ${kept * 100}% engine: ${samples.get('engine')!.at(-1)!.toFixed(1)} tokens/s`);
      for (const [dtype, f] of files) {
        for (const threads of [1, 2]) {
          const llama = await LlamaCppModel.open(f.path, { threads, contextSize: 128 });
          try {
            if (round === 0) await llama.greedy(prompt, 4);
            add(`${dtype}/${threads}`, (await llama.greedy(prompt, NEW)).decodeTokensPerSecond);
            console.error(`round ${round + 1} ${kept * 100}% ${dtype} ${threads} thread(s): ${samples.get(`${dtype}/${threads}`)!.at(-1)!.toFixed(1)} tokens/s`);
          } finally {
            await llama.dispose();
          }
        }
      }
    }
    const m = (key: string) => median(samples.get(key)!).toFixed(1);
    rows.push(`| ${kept * 100}% | ${m('engine')} | ${[...files.keys()].map((d) => `${m(`${d}/1`)} / ${m(`${d}/2`)}`).join(' | ')} | ` +
      `${[...files.values()].map((f) => (f.bytes / 2 ** 20).toFixed(0)).join(' / ')} |`);
  }
} finally {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
}
console.log('\n| kept | engine (wasm, 1 thread) | llama.cpp F32 (1 / 2 threads) | Q8_0 (1 / 2) | Q4_0 (1 / 2) | GGUF MiB F32 / Q8_0 / Q4_0 |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
console.log(`\nDecode tokens/s, median of ${ROUNDS} interleaved rounds of ${NEW} tokens after a ${PROMPT}-token prompt; load average at end: ${load()}`);
