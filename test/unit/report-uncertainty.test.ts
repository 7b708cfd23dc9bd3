// Binomial standard errors, within-noise statements and seed spread of the report (issue 15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialStderr, compareEntries, formatPerformance, noiseStatements, seedSpread } from '../../engine/report/uncertainty.ts';
import type { ReportEntry, TrimReport } from '../../engine/report/types.ts';
import { finalTrimEntry, frontierBeforeHealing, renderSeedComparison } from '../../engine/report/seeds.ts';

const entry = (name: string, kind: ReportEntry['kind'], performance: number, scored?: number): ReportEntry => ({
  name, kind, kept: [], keptFraction: 0.5, metric: 'next_token_acc', performance, paramBytes: 1, decodeTokensPerSecond: 1,
  ...(scored !== undefined ? { scored } : {}),
});

test('binomial standard error sqrt(p(1−p)/n), and its formatting in points', () => {
  assert.equal(binomialStderr(0.5, 100), 0.05);
  assert.equal(binomialStderr(0, 10), 0);
  assert.ok(Math.abs(binomialStderr(0.337, 25_000) - Math.sqrt((0.337 * 0.663) / 25_000)) < 1e-15);
  assert.throws(() => binomialStderr(1.2, 10), /in \[0, 1\]/);
  assert.throws(() => binomialStderr(0.5, 0), /at least one/);
  assert.equal(formatPerformance(entry('a', 'base', 0.5, 100)), '50.0% ± 5.0');
  assert.equal(formatPerformance(entry('a', 'base', 0.5)), '50.0%', 'no scored count: no ±');
});

test('two entries are within noise when their gap is under 2·sqrt(se_a² + se_b²)', () => {
  // se_a = 0.05, se_b = sqrt(0.24/100) = 0.04899 → threshold 2·sqrt(0.0025 + 0.0024) = 0.14
  const near = compareEntries(entry('a', 'trimllm', 0.5, 100), entry('b', 'base', 0.4, 100))!;
  assert.ok(Math.abs(near.threshold - 0.14) < 1e-12, String(near.threshold));
  assert.ok(Math.abs(near.difference - 0.1) < 1e-12);
  assert.equal(near.withinNoise, true);
  assert.equal(compareEntries(entry('a', 'trimllm', 0.5, 100), entry('b', 'base', 0.3, 100))!.withinNoise, false);
  assert.equal(compareEntries(entry('a', 'trimllm', 0.5), entry('b', 'base', 0.3, 100)), null);
  const lines = noiseStatements([
    entry('trimllm drop 1', 'trimllm', 0.2, 100), entry('trimllm heal 5', 'trimllm', 0.5, 100),
    entry('random', 'baseline-random', 0.45, 100), entry('base', 'base', 0.3, 100),
  ]);
  assert.deepEqual(lines, [
    'trimllm heal 5 vs random: +5.0 points, within noise (2σ = 14.1 points)',
    'trimllm heal 5 vs base: +20.0 points, outside noise (2σ = 13.6 points)',
  ]);
});

test('seed spread: mean and sample standard deviation', () => {
  assert.deepEqual(seedSpread([0.3]), { mean: 0.3, sd: 0, n: 1 });
  const s = seedSpread([1, 2, 3]);
  assert.equal(s.mean, 2);
  assert.equal(s.sd, 1);
  assert.throws(() => seedSpread([]), /no value/);
});

test('seed comparison: healed TrimLLM per variant and the baselines as mean ± sd, the pre-healing frontier side by side', () => {
  const report = (trim: [string, number, number][], extra: ReportEntry[] = []): TrimReport => ({
    title: 't', model: 'm', dataset: 'd', taskType: 'text', createdAt: '', config: {}, nLayers: 2, losses: [], drops: [],
    entries: [...trim.map(([name, kept, p]) => ({ ...entry(name, 'trimllm', p), kept: Array.from({ length: kept }, (_, i) => `x${i}`), keptFraction: kept / 4 })), ...extra],
  });
  const hard = [
    report([['drop 1', 3, 0.3], ['drop 2', 2, 0.2], ['heal 1', 2, 0.32]], [entry('full-finetune', 'full-finetune', 0.4), entry('random 50% + fine-tune', 'baseline-random', 0.3)]),
    report([['drop 1', 3, 0.34], ['drop 2', 2, 0.22], ['heal 1', 2, 0.36]], [entry('full-finetune', 'full-finetune', 0.4), entry('random 50% + fine-tune', 'baseline-random', 0.32)]),
  ];
  const soft = [report([['fine-tune 1', 4, 0.35], ['drop 1', 3, 0.33], ['drop 2', 2, 0.3], ['heal 1', 2, 0.34]])];
  assert.equal(finalTrimEntry(hard[0]!)!.performance, 0.32);
  assert.deepEqual([...frontierBeforeHealing(soft[0]!)], [[4, 0.35], [3, 0.33], [2, 0.3]]);
  const md = renderSeedComparison([{ variant: 'hard', reports: hard }, { variant: 'soft', reports: soft }], 'T');
  assert.match(md, /\| TrimLLM hard \(2\/4\) \| 34\.00 ± 2\.83 \(n=2\) \| 32\.00, 36\.00 \| 85\.0% \|/);
  assert.match(md, /\| TrimLLM soft \(2\/4\) \| 34\.00 ± 0\.00 \(n=1\) \| 34\.00 \| 85\.0% \|/);
  assert.match(md, /\| random 50% \+ fine-tune \| 31\.00 ± 1\.41 \(n=2\) \| 30\.00, 32\.00 \| 77\.5% \|/);
  assert.match(md, /\| 2 \| 21\.00 ± 1\.41 \(n=2\) \| 30\.00 ± 0\.00 \(n=1\) \|/);
  assert.match(md, /\| 4 \| — \| 35\.00 ± 0\.00 \(n=1\) \|/);
  assert.throws(() => renderSeedComparison([{ variant: 'x', reports: [report([], [])] }], 'T'), /no report has a TrimLLM/);
});
