// Other runs' TrimLLM checkpoints beside this run's in one report (issue 15: the frontier before healing with and
// without soft dropping side by side): the checkpoint table, the drop order, validation and the frontier plot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonTable, dropOrder } from '../../engine/report/compare.ts';
import { renderReport } from '../../engine/report/write.ts';
import { validateReport, type ReportEntry, type TrimReport } from '../../engine/report/types.ts';
import { withComparison } from '../../electron/cli/commands/report.ts';

const ALL = ['attn0', 'mlp0', 'attn1', 'mlp1'];
const trim = (name: string, kept: string[], performance: number, step: number): ReportEntry => ({
  name: `trimllm ${name} (${kept.length}/4)`, kind: 'trimllm', step, kept, keptFraction: kept.length / 4, metric: 'next_token_acc',
  performance, scored: 10_000, n: 40, paramBytes: 100 * kept.length, decodeTokensPerSecond: 10,
});
const report = (entries: ReportEntry[], dataset = 'tales'): TrimReport => ({
  title: 't', model: 'm.bin', dataset, taskType: 'text', createdAt: '2026-12-05T00:00:00Z', config: {}, nLayers: 2,
  losses: [], drops: [], entries,
});
// hard drop: mlp1, then attn1; soft drop: one epoch fading mlp1 first (4 kept), then the same drops
const hard = report([
  trim('drop 1: -mlp1', ['attn0', 'mlp0', 'attn1'], 0.3, 10), trim('drop 2: -attn1', ['attn0', 'mlp0'], 0.2, 20),
  trim('heal 1', ['attn0', 'mlp0'], 0.32, 30),
  { ...trim('base', ALL, 0.25, 0), kind: 'base', name: 'base' },
]);
const soft = report([
  trim('fine-tune 1: mlp1 fades next', ALL, 0.35, 10), trim('drop 1: -mlp1', ['attn0', 'mlp0', 'attn1'], 0.33, 20),
  trim('drop 2: -attn1', ['attn0', 'mlp0'], 0.3, 30), trim('heal 1', ['attn0', 'mlp0'], 0.325, 40),
]);

test('comparison table: one row per checkpoint position, one column per run, difference and noise for two runs', () => {
  const t = comparisonTable(withComparison(hard, 'hard drop', [{ dir: '/r/soft', label: 'soft drop', report: soft }]), 4)!;
  assert.deepEqual(t.header, ['checkpoint', 'hard drop', 'soft drop', 'soft drop − hard drop']);
  // se = sqrt(p(1−p)/10000); at 3 kept: 2σ = 2·sqrt((0.21 + 0.2211)/10⁴) = 1.31 points
  assert.deepEqual(t.rows, [
    ['4/4 kept', '—', '35.0% ± 0.5', '—'],
    ['3/4 kept', '30.0% ± 0.5', '33.0% ± 0.5', '+3.0 points, outside noise (2σ = 1.3)'],
    ['2/4 kept', '20.0% ± 0.4', '30.0% ± 0.5', '+10.0 points, outside noise (2σ = 1.2)'],
    ['2/4 kept, healed 1 epoch', '32.0% ± 0.5', '32.5% ± 0.5', '+0.5 points, within noise (2σ = 1.3)'],
  ]);
  assert.deepEqual(t.drops, ['hard drop: dropped mlp1, attn1', 'soft drop: dropped mlp1, attn1']);
  assert.equal(comparisonTable(hard, 4), null, 'no comparison: no table');
});

test('drop order from consecutive kept sets, starting from every sub-layer', () => {
  assert.deepEqual(dropOrder(soft.entries, 4), ['mlp1', 'attn1']);
  assert.deepEqual(dropOrder([], 4), []);
});

test('the report renders the comparison: a markdown section and one more line on the frontier plot', () => {
  const files = renderReport(withComparison(hard, 'hard drop', [{ dir: '/r/soft', label: 'soft drop', report: soft }]));
  assert.match(files['report.md'], /## TrimLLM checkpoints beside other runs/);
  assert.match(files['report.md'], /\| 2\/4 kept \| 20\.0% ± 0\.4 \| 30\.0% ± 0\.5 \| \+10\.0 points, outside noise \(2σ = 1\.2\) \|/);
  const svg = files['frontier.svg'];
  assert.equal(svg.match(/<polyline /g)?.length, 2, 'this run and the compared run');
  const compared = /<polyline points="([^"]+)"[^>]*stroke="#D55E00"/.exec(svg);
  assert.ok(compared, 'the compared run has its own colour');
  assert.equal(compared[1]!.split(' ').length, 4, 'every compared checkpoint is on its line');
  assert.match(svg, />TrimLLM: soft drop</);
  assert.match(svg, />TrimLLM: hard drop</);
  assert.deepEqual(JSON.parse(files['report.json']).comparison.others[0].entries.length, 4, 'only the TrimLLM entries are kept');
});

test('bad comparisons are refused with the field or the folder named', () => {
  const bad = withComparison(hard, 'a', [{ dir: '/r/soft', label: 'b', report: soft }]);
  bad.comparison!.others[0]!.entries[1]!.performance = 1.5;
  assert.throws(() => validateReport(bad), /comparison\.others\[0\]\.entries\[1\]\.performance must be in \[0, 1\]/);
  assert.throws(() => withComparison(hard, 'a', [{ dir: '/r/other', label: 'b', report: { ...soft, dataset: 'medmcqa' } }]),
    /\/r\/other\/report\.json: dataset "medmcqa" differs from this run's "tales"/);
  const fewer = { ...soft, entries: soft.entries.map((e) => ({ ...e, n: 20 })) };
  assert.throws(() => withComparison(hard, 'a', [{ dir: '/r/other', label: 'b', report: fewer }]), /20 test items, this run on 40: not the same test split/);
  const seeded = (seed: number) => ({ ...soft, config: { seed } });
  assert.throws(() => withComparison({ ...hard, config: { seed: 0 } }, 'a', [{ dir: '/r/other', label: 'b', report: seeded(5) }]),
    /\/r\/other\/report\.json: seed 5, this run's 0: .*not measured on the same questions/);
  assert.equal(withComparison({ ...hard, config: { seed: 5 } }, 'a', [{ dir: '/r/soft', label: 'b', report: seeded(5) }]).comparison!.others.length, 1);
});
