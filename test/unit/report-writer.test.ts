import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readReport, renderReport, sourceName, writeReport, REPORT_FILES } from '../../engine/report/write.ts';
import type { ReportEntry, TrimReport } from '../../engine/report/types.ts';
import { esc, fitText, niceTicks, textWidth, viridis } from '../../engine/report/svg.ts';
import { formatBytes } from '../../engine/report/markdown.ts';
import { renderLayerMap } from '../../engine/report/plot-layer-map.ts';
import { renderLossPlot } from '../../engine/report/plot-loss.ts';
import { renderFrontierPlot } from '../../engine/report/plot-frontier.ts';

/** A realistic report of stories260K (L = 5) specialised to fairy tales, numbers shaped like DESIGN.md §1. */
export function fakeReport(): TrimReport {
  const all = ['attn0', 'mlp0', 'attn1', 'mlp1', 'attn2', 'mlp2', 'attn3', 'mlp3', 'attn4', 'mlp4'];
  const bytes = (kept: string[]) => 4 * (32832 + kept.reduce((a, s) => a + (s.startsWith('attn') ? 12352 : 33088), 0));
  const tps = (kept: string[]) => 1 / (1 / 2400 + kept.reduce((a, s) => a + (s.startsWith('attn') ? 1 / 2600 : 1 / 3600), 0));
  const order = ['attn4', 'attn3', 'mlp3', 'attn1', 'attn2'];
  const entry = (name: string, kind: ReportEntry['kind'], kept: string[], performance: number, step?: number): ReportEntry => ({
    name, kind, kept, keptFraction: kept.length / 10, metric: 'next_token_acc', performance, paramBytes: bytes(kept),
    decodeTokensPerSecond: Math.round(tps(kept) * 10) / 10, prefillTokensPerSecond: Math.round(tps(kept) * 30), ...(step === undefined ? {} : { step }),
  });
  const trimPerf = [0.396, 0.388, 0.362, 0.318, 0.262, 0.202];
  const entries: ReportEntry[] = [
    entry('base', 'base', all, 0.312),
    entry('full fine-tune', 'full-finetune', all, 0.396),
    entry('sparse fine-tune r=0.25', 'sparse-finetune', all, 0.404),
    ...trimPerf.slice(1).map((p, i) => {
      const kept = all.filter((s) => !order.slice(0, i + 1).includes(s));
      return entry(`step ${(i + 1) * 50} (${kept.length}/10)`, 'trimllm', kept, p, (i + 1) * 50);
    }),
    entry('healed (5/10)', 'trimllm', all.filter((s) => !order.includes(s)), 0.332, 500),
    entry('random 50%', 'baseline-random', ['attn0', 'mlp1', 'attn2', 'mlp2', 'mlp4'], 0.295),
    entry('top 50%', 'baseline-top', all.slice(0, 5), 0.326),
    entry('bottom 50%', 'baseline-bottom', all.slice(5), 0.31),
  ];
  const losses = [];
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.12;
  for (let step = 1; step <= 500; step++) {
    const epoch = Math.ceil(step / 50);
    const sinceDrop = epoch <= 5 && epoch > 1 ? (step - 1) % 50 : 99;
    losses.push({ step, epoch, loss: 1.85 + 0.7 * Math.exp(-step / 60) + (sinceDrop < 10 ? 0.25 * (1 - sinceDrop / 10) : 0) + noise() });
  }
  return {
    title: 'TrimLLM run',
    model: 'stories260K',
    dataset: 'grimm-tales',
    taskType: 'text',
    createdAt: '2026-11-29T16:00:00.000Z',
    config: { lr: 1e-3, epochsPerDrop: 1, subLayersPerDrop: 1, calibrationRecords: 48, sparseRatio: 0.25, importance: 'both', healingEpochs: 5 },
    entries,
    losses,
    drops: order.map((subLayer, i) => ({ step: (i + 1) * 50, epoch: i + 1, subLayer })),
    nLayers: 5,
    scans: [{ step: 50, scores: all.map((s, i) => ({ subLayer: s, calibrationPerformance: 0.3 + i / 100, importance: 1 / (0.3 + i / 100 + 1e-3), activationNorm: 10 + i })) }],
  };
}

/** Minimal XML well-formedness check: balanced tags, quoted attributes, escaped text; returns the root tag. */
function checkXml(xml: string): string {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  let root = '';
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length && (m = token.exec(body))) {
    at = token.lastIndex;
    if (m[5] !== undefined) {
      assert.doesNotMatch(m[5], /&(?!(amp|lt|gt|quot|apos|#\d+);)/, 'unescaped &');
      continue;
    }
    if (!root) root = m[2]!;
    if (m[1]) assert.equal(stack.pop(), m[2], `mismatched </${m[2]}>`);
    else if (!m[4]) stack.push(m[2]!);
    if (stack.length === 0 && (m[1] || m[4])) assert.equal(body.slice(at).trim(), '', 'content after the root element');
  }
  assert.equal(at, body.length, `malformed markup near: ${body.slice(at, at + 60)}`);
  assert.deepEqual(stack, [], 'unclosed elements');
  return root;
}

test('writeReport writes five files atomically; report.json round-trips', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'trimllm-report-')), 'nested');
  const report = fakeReport();
  const written = await writeReport(dir, report);
  assert.deepEqual(written, REPORT_FILES.map((f) => join(dir, f)));
  assert.deepEqual(readdirSync(dir).sort(), [...REPORT_FILES].sort(), 'no temp files left');
  assert.deepEqual(await readReport(join(dir, 'report.json')), report);
  const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as TrimReport;
  for (const e of json.entries) for (const k of ['name', 'kept', 'metric', 'performance', 'paramBytes', 'decodeTokensPerSecond']) assert.ok(k in e, k);
});

test('the three SVGs are well-formed, titled, and name every entry', () => {
  const report = fakeReport();
  report.entries[0]!.name = 'base <fp32> & "original"';
  const files = renderReport(report);
  for (const name of ['loss.svg', 'layer-map.svg', 'frontier.svg'] as const) {
    assert.equal(checkXml(files[name]), 'svg', name);
    assert.match(files[name], /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(files[name], /<title>/);
  }
  for (const e of report.entries) assert.ok(files['frontier.svg'].includes(`>${esc(e.name)}<`), e.name);
  assert.match(files['frontier.svg'], /decode tokens\/s/);
  assert.match(files['frontier.svg'], /sub-layers kept/);
  assert.match(files['loss.svg'], /training loss \(nats\/token\)/);
  assert.match(files['loss.svg'], /epoch 3/);
  for (const d of report.drops) assert.ok(files['loss.svg'].includes(d.subLayer));
  const map = files['layer-map.svg'];
  assert.equal(map.match(/>kept</g)!.length, 5 + 1, 'five kept cells and the legend');
  for (const [i, d] of report.drops.entries()) assert.ok(map.includes(`#${i + 1} · step ${d.step}`));
});

test('report.md has the side-by-side table, speed-up vs base and the drop order', () => {
  const md = renderReport(fakeReport())['report.md'];
  assert.match(md, /\| model \| kind \| kept \| metric \| performance \| param bytes \|/);
  assert.match(md, /\| base \| base \| 10\/10 \(100\.0%\) \| next_token_acc \| 31\.2% \|.*\| 1\.00× \|/);
  assert.match(md, /\| healed \(5\/10\) \| trimllm \| 5\/10 \(50\.0%\) \|/);
  assert.match(md, /\| 1 \| 50 \| 1 \| attn4 \|/);
  assert.match(md, /Kept after the last drop \(5\/10\): attn0, mlp0, mlp1, mlp2, mlp4/);
  assert.match(md, /!\[Frontier\]\(frontier\.svg\)/);
});

test('an invalid report throws and writes nothing', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'trimllm-report-')), 'out');
  const bad = fakeReport();
  bad.entries[2]!.performance = 1.5;
  await assert.rejects(writeReport(dir, bad), /entries\[2\]\.performance must be in \[0, 1\]/);
  assert.equal(existsSync(dir), false);
  const badDrop = fakeReport();
  badDrop.drops[0]!.subLayer = 'attn9';
  assert.throws(() => renderReport(badDrop), /not a sub-layer of a 5-block model/);
});

test('empty runs and a large model still render', () => {
  assert.equal(checkXml(renderLossPlot([], [])), 'svg');
  assert.equal(checkXml(renderFrontierPlot([], 5)), 'svg');
  assert.equal(checkXml(renderLayerMap(80, [{ step: 10, epoch: 1, subLayer: 'mlp79' }])), 'svg');
  assert.equal(checkXml(renderLayerMap(3, [])), 'svg');
});

test('nice ticks, colours and byte formatting', () => {
  assert.deepEqual(niceTicks(0.2, 0.41, 5), [0.2, 0.25, 0.3, 0.35, 0.4, 0.45]);
  assert.deepEqual(niceTicks(1, 500, 5), [0, 100, 200, 300, 400, 500]);
  assert.equal(niceTicks(1, 500, 8)[1], 50);
  assert.deepEqual(niceTicks(3, 3), [2.7, 2.8, 2.9, 3, 3.1, 3.2, 3.3]);
  assert.equal(viridis(0), '#440154');
  assert.equal(viridis(1), '#fde725');
  assert.equal(formatBytes(1_040_128), '1016 KiB');
  assert.equal(formatBytes(3_500_000), '3.34 MiB');
  assert.equal(formatBytes(512), '512 B');
});

test('plot titles use file names and fit the plot width (no clipping at either edge)', () => {
  const report = fakeReport();
  report.model = '/home/someone/very/long/path/to/the/models/stories260K-llama2c-checkpoint/stories260K.bin';
  report.dataset = '/home/someone/very/long/path/to/datasets/mmlu_professional_law_with_a_long_folder_name/';
  const files = renderReport(report);
  for (const name of ['loss.svg', 'frontier.svg', 'layer-map.svg'] as const) {
    const svg = files[name];
    const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    const visible = /<text [^>]*font-size="15"[^>]*>([^<]*)<\/text>/.exec(svg)![1]!;
    assert.ok(textWidth(visible, 15) <= width - 32, `${name}: "${visible}" (${textWidth(visible, 15)} px) fits ${width} px`);
    assert.ok(!visible.includes('/home/someone'), `${name}: no directories in the visible title`);
  }
  assert.match(files['loss.svg'], />Training loss — stories260K\.bin on mmlu_professional_law_with_a_long_folder_name</);
  assert.match(files['frontier.svg'], /<title>Frontier — TrimLLM run — stories260K\.bin on mmlu_professional_law_with_a_long_folder_name<\/title>/);
  assert.equal(sourceName('C:\\models\\tiny.gguf'), 'tiny.gguf');
  assert.equal(sourceName('grimm-tales'), 'grimm-tales');
  assert.equal(fitText('short', 15, 500), 'short');
  const cut = fitText('Frontier — TrimLLM run — a rather long model name on a rather long dataset name', 15, 300);
  assert.ok(cut.endsWith('…') && textWidth(cut, 15) <= 300, cut);
});
