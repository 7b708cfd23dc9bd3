// Issue 15 must-show, at tiny settings: the frontier before healing with and without soft dropping side by side in
// one report. Two real CLI runs on stories260K and the bundled story-QA data (hard drop, then --variants soft-drop),
// then `trimllm report --compare`: every checkpoint of both runs is in one report.md table and on one frontier plot,
// with the numbers each run measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, STORIES_BIN } from '../helpers/shared.ts';
import { runCli } from '../helpers/cli.ts';
import { formatPerformance } from '../../engine/report/uncertainty.ts';
import type { TrimReport } from '../../engine/report/types.ts';

const DATA = repoPath('resources/demo/story-qa.jsonl');

test('trimllm report --compare: hard and soft dropping, every checkpoint side by side in one report', () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-compare-'));
  const trim = (name: string, extra: string[]) => {
    const r = runCli(['trim', '--model', STORIES_BIN, '--data', DATA, '--data-dir', work, '--report-dir', join(work, name),
      '--target', '0.8', '--heal-epochs', '1', '--baselines', 'none', '--max-train', '16', '--max-eval', '16', '--calibration', '4', ...extra]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(readFileSync(join(work, name, 'report.json'), 'utf8')) as TrimReport;
  };
  const hard = trim('hard', []);
  const soft = trim('soft', ['--variants', 'soft-drop']);
  const out = join(work, 'both');
  const r = runCli(['report', join(work, 'hard'), '--compare', join(work, 'soft'), '--label', 'hard drop', '--compare-label', 'soft drop', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  const rows = md.split('\n').filter((l) => /^\| \d+\/10 kept/.test(l));
  const trimEntries = (rep: TrimReport) => rep.entries.filter((e) => e.kind === 'trimllm');
  // hard: 9/10, 8/10, healed; soft: 10/10 (fading), 9/10, 8/10, healed → rows 10, 9, 8, healed 1
  assert.deepEqual(rows.map((l) => l.split('|')[1]!.trim()), ['10/10 kept', '9/10 kept', '8/10 kept', '8/10 kept, healed 1 epoch']);
  const cellsOf = (kept: string) => rows.find((l) => l.startsWith(`| ${kept} |`))!.split('|').slice(2, 4).map((c) => c.trim());
  for (const [i, e] of trimEntries(hard).entries()) assert.equal(cellsOf(['9/10 kept', '8/10 kept', '8/10 kept, healed 1 epoch'][i]!)[0], formatPerformance(e), e.name);
  for (const [i, e] of trimEntries(soft).entries()) assert.equal(cellsOf(['10/10 kept', '9/10 kept', '8/10 kept', '8/10 kept, healed 1 epoch'][i]!)[1], formatPerformance(e), e.name);
  assert.equal(cellsOf('10/10 kept')[0], '—', 'hard dropping has no checkpoint with every sub-layer');
  const svg = readFileSync(join(out, 'frontier.svg'), 'utf8');
  assert.equal(svg.match(/<polyline /g)?.length, 2);
  assert.match(svg, />TrimLLM: soft drop</);
  // the run's own report folder is left as it was
  assert.doesNotMatch(readFileSync(join(work, 'hard', 'report.md'), 'utf8'), /beside other runs/);
  console.log(rows.join('\n'));
});
