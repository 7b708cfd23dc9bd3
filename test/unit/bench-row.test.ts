import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/select.ts';
import { measureShape, QUICK_BENCH_SETTINGS, withCeiling, type BenchRow, type BenchSettings } from '../../engine/bench/measure.ts';
import { randomModel } from '../../engine/bench/random-weights.ts';
import { TINY_SHAPE } from '../../engine/bench/shapes.ts';
import { formatBenchTables } from '../../engine/bench/suite.ts';
import type { LlamaConfig } from '../../engine/model/config.ts';
import { repoPath } from '../helpers/shared.ts';

const tiny = (TINY_SHAPE.weights as { config: LlamaConfig }).config;
const settings: BenchSettings = {
  ...QUICK_BENCH_SETTINGS, promptTokens: 8, newTokens: 4, runs: 2, trainSeq: 8, calibrationExamples: 2, calibrationSeq: 6,
};

/** Checks one row against the documented schema. */
function checkRow(r: BenchRow, shape: string): void {
  assert.equal(r.shape, shape);
  for (const key of [
    'keptFraction', 'targetKeptFraction', 'prefillTokensPerSecond', 'decodeTokensPerSecond', 'idealSpeedup', 'measuredSpeedup',
    'speedupEfficiency', 'matvecCeilingTokensPerSecond', 'memoryBandwidthBytesPerSecond', 'peakRssBytes', 'paramBytes',
    'flopsPerToken', 'decodeBytesPerToken', 'trainTokensPerSecond', 'trainStepSeconds', 'measuredTrainSpeedup', 'scanSeconds',
    'measuredPrefillSpeedup', 'runCpuSeconds', 'cpuRunSpeedup', 'idealRunSpeedup', 'cpuRunEfficiency', 'trainStepCpuSeconds',
    'cpuTrainSpeedup', 'scanCpuSeconds', 'decodeMsPerToken', 'matvecOnlyMsPerToken', 'decodeOverMatvec', 'naiveScanSeconds',
    'scanReuseSpeedup', 'scanSubLayerEvaluations', 'naiveScanSubLayerEvaluations', 'naiveScanCpuSeconds', 'scanReuseCpuSpeedup',
  ] as const) {
    assert.equal(typeof r[key], 'number', key);
    assert.ok(Number.isFinite(r[key]) && r[key] > 0, `${key} = ${r[key]}`);
  }
  for (const key of ['prefillSpread', 'decodeSpread', 'trainSpread'] as const) {
    assert.ok(r[key].min > 0 && r[key].min <= r[key].max, key);
  }
  assert.ok(r.decodeSpread.min <= r.decodeTokensPerSecond && r.decodeTokensPerSecond <= r.decodeSpread.max);
  assert.equal(r.keptFraction, r.keptSubLayers / r.totalSubLayers);
  assert.equal(r.scanEvaluations, r.keptSubLayers);
  assert.equal(r.dropped.length, r.totalSubLayers - r.keptSubLayers);
  assert.ok(Math.abs(r.speedupEfficiency - r.measuredSpeedup / r.idealSpeedup) < 1e-12);
  assert.ok(Math.abs(r.decodeOverMatvec - r.decodeMsPerToken / r.matvecOnlyMsPerToken) < 1e-9);
  assert.ok(Math.abs(r.decodeMsPerToken - 1000 / r.decodeTokensPerSecond) < 1e-9);
  // Norm pass (one sequence at a time) + candidates: naive k·(k−1) sub-layers per batch, with reuse (k−1) + k(k−1)/2.
  const k = r.keptSubLayers;
  const norms = r.calibrationExamples * k;
  assert.equal(r.naiveScanSubLayerEvaluations, norms + k * (k - 1));
  assert.equal(r.scanSubLayerEvaluations, norms + (k - 1) + (k * (k - 1)) / 2);
}

test('a quick-style run on a tiny random model: three rows with the documented fields, no tensor leak', async () => {
  await selectBackend('wasm');
  const model = randomModel(tiny, 3);
  try {
    const ids = tf.tensor2d([[1, 2]], undefined, 'int32');
    tf.dispose([ids, model.forward(ids).logits]); // builds the fused inference copies (llama.ts derived), kept by the model
    const before = tf.memory().numTensors;
    const rows = withCeiling(await measureShape(model, 'tiny', settings), 1e10).map((r) => ({ ...r, peakRssBytes: 1 }));
    assert.equal(tf.memory().numTensors, before, 'every tensor of the rows was disposed');
    assert.deepEqual(model.keepMask, new Array(4).fill(true), 'the model keeps its own keep mask');
    assert.deepEqual(rows.map((r) => r.targetKeptFraction), [1, 0.75, 0.5]);
    assert.deepEqual(rows.map((r) => r.keptSubLayers), [4, 3, 2]);
    rows.forEach((r) => checkRow(r, 'tiny'));
    assert.equal(rows[0]!.idealSpeedup, 1);
    assert.equal(rows[0]!.measuredSpeedup, 1);
    assert.equal(rows[0]!.cpuRunSpeedup, 1);
    assert.equal(rows[0]!.idealRunSpeedup, 1);
    assert.ok(rows[1]!.idealSpeedup > 1 && rows[2]!.idealSpeedup > rows[1]!.idealSpeedup);
    assert.ok(rows[2]!.paramBytes < rows[1]!.paramBytes && rows[1]!.paramBytes < rows[0]!.paramBytes);
    assert.equal(rows[0]!.matvecCeilingTokensPerSecond, 1e10 / rows[0]!.decodeBytesPerToken);
    assert.ok(JSON.parse(JSON.stringify(rows)), 'rows are plain JSON');
    const text = formatBenchTables(rows);
    assert.match(text, /measured\/ideal/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('tiny')).length, 6, 'two tables of three rows');
  } finally {
    model.dispose();
  }
});

test('bad settings are refused before anything runs', async () => {
  await selectBackend('wasm');
  const model = randomModel(tiny, 3);
  try {
    await assert.rejects(measureShape(model, 'tiny', { ...settings, runs: 0 }), /runs must be an integer ≥ 1/);
    await assert.rejects(measureShape(model, 'tiny', { ...settings, promptTokens: 100, newTokens: 100 }), /exceeds the context of 128/);
    await assert.rejects(measureShape(model, 'tiny', { ...settings, keptFractions: [0.5, 1] }), /must start with 1/);
  } finally {
    model.dispose();
  }
});

test('trimllm bench --shapes tiny --json FILE: one child process per shape, rows with peak RSS and the ceiling', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'trimllm-bench-')), 'rows.json');
  const r = spawnSync(
    process.execPath,
    [repoPath('bin/trimllm.mjs'), 'bench', '--shapes', 'tiny', '--runs', '2', '--prompt-tokens', '8', '--new-tokens', '4', '--quick', '--json', out],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /measured\/ideal/);
  assert.match(r.stdout, /tiny: memory bandwidth [\d.]+ GB\/s/);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { settings: BenchSettings; rows: BenchRow[] };
  assert.equal(json.settings.runs, 2);
  assert.equal(json.rows.length, 3);
  json.rows.forEach((row) => checkRow(row, 'tiny'));
  assert.ok(json.rows[0]!.peakRssBytes > 10 * 1024 * 1024, 'peak RSS in bytes (kilobytes × 1024)');
  assert.equal(new Set(json.rows.map((row) => row.peakRssBytes)).size, 1, 'one child: one peak RSS for the shape');
  const unknown = spawnSync(process.execPath, [repoPath('bin/trimllm.mjs'), 'bench', '--shapes', 'nope'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown shape "nope"/);
});
