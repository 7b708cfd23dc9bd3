/**
 * frontier.svg: the accuracy/size/speed frontier of a trim run (paper §4.2 "flexible continuum of target
 * sizes"). x = fraction of sub-layers kept, y = task performance, colour = decode tokens/s (viridis). Each kind
 * has its own marker; TrimLLM checkpoints are joined by a line in step order; every point carries its name,
 * placed greedily where it overlaps no other label or point. Compared runs (compare.ts) add their TrimLLM
 * checkpoints as further lines, one colour each, named in the legend (their points are not labelled: the report's
 * comparison table has their numbers).
 */
import type { ReportEntry, ReportEntryKind } from './types.ts';
import { trimCheckpoints, type CheckpointSeries } from './compare.ts';
import { axes, colourBar, el, esc, linearScale, svgDocument, textWidth, viridis, type Frame } from './svg.ts';

const WIDTH = 940;
const HEIGHT = 540;
const FRAME: Frame = { left: 84, top: 56, width: 580, height: 400 };
const LABEL_SIZE = 11;

/** Legend text of each kind. */
export const KIND_LABELS: Record<ReportEntryKind, string> = {
  base: 'base model',
  'full-finetune': 'full fine-tune',
  'sparse-finetune': 'sparse fine-tune',
  trimllm: 'TrimLLM checkpoints',
  'baseline-random': 'baseline: random 50%',
  'baseline-top': 'baseline: drop last layers',
  'baseline-bottom': 'baseline: drop first layers',
  'baseline-block-influence': 'baseline: Block Influence',
  'baseline-angular': 'baseline: angular distance',
};

/** SVG path of a marker of a kind centred at (x, y), radius about r. */
export function markerPath(kind: ReportEntryKind, x: number, y: number, r = 7): string {
  const poly = (pts: [number, number][]) => 'M' + pts.map(([a, b]) => `${Math.round((x + a) * 100) / 100},${Math.round((y + b) * 100) / 100}`).join(' L') + ' Z';
  const ring = (n: number, rot: number, radius: (i: number) => number) =>
    poly(Array.from({ length: n }, (_, i) => {
      const a = rot + (i * 2 * Math.PI) / n;
      return [radius(i) * Math.cos(a), radius(i) * Math.sin(a)] as [number, number];
    }));
  switch (kind) {
    case 'trimllm': return ring(24, 0, () => r);
    case 'base': return poly([[-r * 0.85, -r * 0.85], [r * 0.85, -r * 0.85], [r * 0.85, r * 0.85], [-r * 0.85, r * 0.85]]);
    case 'full-finetune': return ring(4, -Math.PI / 2, () => r * 1.15);
    case 'sparse-finetune': return ring(3, -Math.PI / 2, () => r * 1.15);
    case 'baseline-top': return ring(3, Math.PI / 2, () => r * 1.15);
    case 'baseline-bottom': return ring(10, -Math.PI / 2, (i) => (i % 2 ? r * 0.5 : r * 1.2));
    case 'baseline-block-influence': return ring(5, -Math.PI / 2, () => r * 1.1);
    case 'baseline-angular': return ring(6, 0, () => r * 1.05);
    case 'baseline-random': {
      const a = r * 0.35;
      return poly([[-a, -r], [a, -r], [a, -a], [r, -a], [r, a], [a, a], [a, r], [-a, r], [-a, a], [-r, a], [-r, -a], [-a, -a]]);
    }
  }
}

interface Box { x0: number; y0: number; x1: number; y1: number }
const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));

/** Greedy label placement: the first candidate spot (right, left, above, below, diagonals; then farther) that is free. */
function placeLabels(points: { x: number; y: number; text: string }[]): { x: number; y: number; anchor: string }[] {
  const taken: Box[] = points.map((p) => ({ x0: p.x - 8, y0: p.y - 8, x1: p.x + 8, y1: p.y + 8 }));
  const inside = (b: Box) => b.x0 >= FRAME.left + 2 && b.x1 <= FRAME.left + FRAME.width - 2 && b.y0 >= FRAME.top + 2 && b.y1 <= FRAME.top + FRAME.height - 2;
  return points.map((p) => {
    const w = textWidth(p.text, LABEL_SIZE);
    const h = LABEL_SIZE + 2;
    let best: { x: number; y: number; anchor: string; cost: number } | null = null;
    for (const k of [1, 1.8, 2.8]) {
      for (const [dx, dy, anchor] of [[11, 0, 'start'], [-11, 0, 'end'], [0, -15, 'middle'], [0, 15, 'middle'], [9, -12, 'start'], [9, 12, 'start'], [-9, -12, 'end'], [-9, 12, 'end']] as const) {
        const x = p.x + dx * k;
        const y = p.y + dy * k + 4; // baseline ≈ 4 px below the vertical centre
        const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
        const box = { x0, y0: y - LABEL_SIZE, x1: x0 + w, y1: y - LABEL_SIZE + h };
        const cost = taken.reduce((a, t) => a + overlap(box, t), 0) + (inside(box) ? 0 : 1e6);
        if (!best || cost < best.cost) best = { x, y, anchor, cost };
        if (cost === 0) break;
      }
      if (best!.cost === 0) break;
    }
    const b = best!;
    const x0 = b.anchor === 'start' ? b.x : b.anchor === 'end' ? b.x - w : b.x - w / 2;
    taken.push({ x0, y0: b.y - LABEL_SIZE, x1: x0 + w, y1: b.y - LABEL_SIZE + h });
    return b;
  });
}

/** Line colours of compared runs (Okabe–Ito palette: distinguishable with colour-vision deficiencies). */
const SERIES_COLOURS = ['#D55E00', '#0072B2', '#CC79A7', '#009E73', '#E69F00'];

/**
 * Renders the frontier plot.
 * @param nLayers L, for the x-axis title (2L sub-layers)
 * @param comparison this run's label and the other runs' TrimLLM checkpoints (absent: this run alone)
 */
export function renderFrontierPlot(
  entries: readonly ReportEntry[], nLayers: number, title = 'Accuracy / size / speed frontier',
  comparison?: { label: string; others: readonly CheckpointSeries[] },
): string {
  const { left, top, width, height } = FRAME;
  const others = (comparison?.others ?? []).map((o) => ({ label: o.label, entries: trimCheckpoints(o.entries) }));
  const everything = [...entries, ...others.flatMap((o) => o.entries)];
  const metrics = [...new Set(everything.map((e) => e.metric))].join(', ') || 'performance';
  const xTitle = `sub-layers kept (fraction of 2L = ${2 * nLayers})`;
  const yTitle = `performance: ${metrics} (higher is better)`;
  const kx = everything.map((e) => e.keptFraction);
  const py = everything.map((e) => e.performance);
  const x = linearScale(kx.length ? Math.min(...kx) : 0, kx.length ? Math.max(...kx) : 1, left + 18, left + width - 18, 6, [0, 1]);
  const y = linearScale(py.length ? Math.min(...py) : 0, py.length ? Math.max(...py) : 1, top + height - 16, top + 16, 6, [0, 1]);
  const parts = [axes(FRAME, x, y, xTitle, yTitle, (v) => `${Math.round(v * 1000) / 10}%`)];
  const tps = entries.map((e) => e.decodeTokensPerSecond);
  const tMin = tps.length ? Math.min(...tps) : 0;
  const tMax = tps.length ? Math.max(...tps) : 0;
  const colour = (v: number) => viridis(tMax > tMin ? (v - tMin) / (tMax - tMin) : 0.5);

  const trim = trimCheckpoints(entries);
  const line = (series: readonly ReportEntry[], attrs: Record<string, string | number>) => {
    const pts = series.map((e) => `${Math.round(x.map(e.keptFraction) * 100) / 100},${Math.round(y.map(e.performance) * 100) / 100}`);
    parts.push(el('polyline', { points: pts.join(' '), fill: 'none', 'stroke-width': 1.5, ...attrs }));
  };
  if (trim.length > 1) line(trim, { stroke: '#555', 'stroke-dasharray': '6 3' });
  others.forEach((o, j) => {
    const stroke = SERIES_COLOURS[j % SERIES_COLOURS.length]!;
    if (o.entries.length > 1) line(o.entries, { stroke });
    for (const e of o.entries) {
      parts.push(el('path', { d: markerPath('trimllm', x.map(e.keptFraction), y.map(e.performance), 5), fill: '#ffffff', stroke, 'stroke-width': 2 },
        el('title', {}, esc(`${o.label}: ${e.name}: ${e.performance.toFixed(3)} ${e.metric}`))));
    }
  });
  const placed = entries.map((e) => ({ x: x.map(e.keptFraction), y: y.map(e.performance), text: e.name }));
  for (const [i, e] of entries.entries()) {
    parts.push(el('path', { d: markerPath(e.kind, placed[i]!.x, placed[i]!.y), fill: colour(e.decodeTokensPerSecond), stroke: '#222', 'stroke-width': 1 }, el('title', {}, esc(`${e.name}: ${e.performance.toFixed(3)} ${e.metric}, ${e.decodeTokensPerSecond.toFixed(1)} tokens/s`))));
  }
  const spots = placeLabels(placed);
  spots.forEach((s, i) => {
    parts.push(el('text', { x: s.x, y: s.y, 'text-anchor': s.anchor, 'font-size': LABEL_SIZE, fill: '#111', stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke' }, esc(placed[i]!.text)));
  });
  if (entries.length === 0) parts.push(el('text', { x: left + width / 2, y: top + height / 2, 'text-anchor': 'middle', fill: '#777' }, 'no evaluated models'));

  // Legend: one marker per kind present, then the throughput colour bar.
  const lx = left + width + 30;
  let ly = top + 8;
  parts.push(el('text', { x: lx, y: ly, 'font-weight': 'bold' }, 'model'));
  const kinds = (Object.keys(KIND_LABELS) as ReportEntryKind[]).filter((k) => entries.some((e) => e.kind === k));
  for (const k of kinds) {
    ly += 24;
    if (k === 'trimllm' && trim.length > 1) parts.push(el('line', { x1: lx - 2, y1: ly - 4, x2: lx + 22, y2: ly - 4, stroke: '#555', 'stroke-width': 1.5, 'stroke-dasharray': '6 3' }));
    parts.push(el('path', { d: markerPath(k, lx + 10, ly - 4), fill: '#bbbbbb', stroke: '#222' }));
    parts.push(el('text', { x: lx + 28, y: ly }, esc(k === 'trimllm' && comparison ? `TrimLLM: ${comparison.label}` : KIND_LABELS[k])));
  }
  others.forEach((o, j) => {
    const stroke = SERIES_COLOURS[j % SERIES_COLOURS.length]!;
    ly += 24;
    parts.push(el('line', { x1: lx - 2, y1: ly - 4, x2: lx + 22, y2: ly - 4, stroke, 'stroke-width': 1.5 }));
    parts.push(el('path', { d: markerPath('trimllm', lx + 10, ly - 4, 5), fill: '#ffffff', stroke, 'stroke-width': 2 }));
    parts.push(el('text', { x: lx + 28, y: ly }, esc(`TrimLLM: ${o.label}`)));
  });
  if (entries.length > 0) {
    parts.push(colourBar(lx, ly + 48, 150, tMin, tMax, 'decode tokens/s', (v) => v.toFixed(v >= 100 ? 0 : 1)));
    parts.push(el('text', { x: lx, y: ly + 222, 'font-size': 11, fill: '#555' }, '(batch 1, KV cache, median)'));
  }
  return svgDocument(WIDTH, HEIGHT, title, parts.join('\n'));
}
