/**
 * loss.svg: the training-loss curve against the optimizer step, with epoch boundaries (dashed, labelled
 * "epoch e") and the drops marked above the plot (red triangles labelled with the dropped sub-layers). With many
 * samples a centred moving average is drawn over the raw (noisy) curve.
 */
import type { DropEvent, LossPoint } from './types.ts';
import { axes, el, esc, linearScale, svgDocument, textWidth, type Frame } from './svg.ts';

const WIDTH = 820;
const HEIGHT = 450;
const FRAME: Frame = { left: 84, top: 74, width: 700, height: 290 };

/** Centred moving average over `window` samples (the window shrinks at both ends), so bumps stay in place. */
export function movingAverage(values: readonly number[], window: number): number[] {
  const half = Math.floor(window / 2);
  const prefix = [0];
  for (const v of values) prefix.push(prefix.at(-1)! + v);
  return values.map((_, i) => {
    const lo = Math.max(0, i - half);
    const hi = Math.min(values.length, i + half + 1);
    return (prefix[hi]! - prefix[lo]!) / (hi - lo);
  });
}

function polyline(points: [number, number][], stroke: string, width: number): string {
  return el('polyline', {
    points: points.map(([x, y]) => `${Math.round(x * 100) / 100},${Math.round(y * 100) / 100}`).join(' '),
    fill: 'none', stroke, 'stroke-width': width, 'stroke-linejoin': 'round',
  });
}

/**
 * Renders the loss plot.
 * @param losses samples in any order (sorted by step here); may be empty (an empty frame with a note)
 * @param drops drop events, shown at their step
 */
export function renderLossPlot(losses: readonly LossPoint[], drops: readonly DropEvent[], title = 'Training loss'): string {
  const pts = [...losses].filter((p) => Number.isFinite(p.loss)).sort((a, b) => a.step - b.step);
  const { left, top, width, height } = FRAME;
  const bottom = top + height;
  if (pts.length === 0) {
    const x = linearScale(0, 1, left, left + width);
    const y = linearScale(0, 1, bottom, top);
    const note = el('text', { x: left + width / 2, y: top + height / 2, 'text-anchor': 'middle', fill: '#777' }, 'no loss samples recorded');
    return svgDocument(WIDTH, HEIGHT, title, axes(FRAME, x, y, 'training step', 'training loss (nats/token)') + note);
  }
  const steps = [...pts.map((p) => p.step), ...drops.map((d) => d.step)];
  const x = linearScale(Math.min(...steps), Math.max(...steps), left + 6, left + width - 6, 8);
  const lo = Math.min(...pts.map((p) => p.loss));
  const hi = Math.max(...pts.map((p) => p.loss));
  const y = linearScale(lo, hi, bottom - 6, top + 6, 6);
  const parts = [axes(FRAME, x, y, 'training step', 'training loss (nats/token)')];

  // Epoch boundaries: between the last sample of one epoch and the first of the next.
  const starts: { px: number; epoch: number }[] = [{ px: x.map(pts[0]!.step), epoch: pts[0]!.epoch }];
  for (let i = 1; i < pts.length; i++) {
    if (pts[i]!.epoch === pts[i - 1]!.epoch) continue;
    const px = x.map((pts[i - 1]!.step + pts[i]!.step) / 2);
    starts.push({ px, epoch: pts[i]!.epoch });
    parts.push(el('line', { x1: px, y1: top, x2: px, y2: bottom, stroke: '#888', 'stroke-dasharray': '5 4' }));
  }
  starts.forEach((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.px : left + width;
    const label = `epoch ${s.epoch}`;
    if (end - s.px > textWidth(label, 10) + 8) {
      parts.push(el('text', { x: s.px + 4, y: bottom - 6, 'font-size': 10, fill: '#666' }, esc(label)));
    }
  });

  const raw = pts.map((p): [number, number] => [x.map(p.step), y.map(p.loss)]);
  const smooth = pts.length > 40;
  parts.push(polyline(raw, smooth ? '#9ecae1' : '#1f77b4', smooth ? 1 : 2));
  const window = 2 * Math.max(2, Math.round(pts.length / 80)) + 1; // odd: centred
  if (smooth) {
    const avg = movingAverage(pts.map((p) => p.loss), window);
    parts.push(polyline(pts.map((p, i) => [x.map(p.step), y.map(avg[i]!)]), '#08519c', 2.2));
  }

  // Drops, grouped by step, labelled above the frame on up to two staggered rows.
  const byStep = new Map<number, string[]>();
  for (const d of drops) byStep.set(d.step, [...(byStep.get(d.step) ?? []), d.subLayer]);
  const rowEnds = [-Infinity, -Infinity];
  for (const [step, names] of [...byStep].sort((a, b) => a[0] - b[0])) {
    const px = x.map(step);
    const label = names.join(', ');
    const w = textWidth(label, 10);
    const row = rowEnds[0]! < px - w / 2 - 3 ? 0 : 1;
    rowEnds[row] = px + w / 2;
    parts.push(el('path', { d: `M${px - 5},${top - 9} L${px + 5},${top - 9} L${px},${top - 1} Z`, fill: '#d62728' }));
    parts.push(el('text', { x: px, y: top - 13 - row * 12, 'text-anchor': 'middle', 'font-size': 10, fill: '#d62728' }, esc(label)));
  }

  // Legend below the x-axis title.
  const ly = bottom + 62;
  const legend: [string, string, number, string?][] = smooth
    ? [['loss per step', '#9ecae1', 1], [`moving average (${window} steps)`, '#08519c', 2.2]]
    : [['loss', '#1f77b4', 2]];
  legend.push(['epoch boundary', '#888', 1, '5 4']);
  let lx = left;
  for (const [label, colour, w, dash] of legend) {
    parts.push(el('line', { x1: lx, y1: ly - 4, x2: lx + 24, y2: ly - 4, stroke: colour, 'stroke-width': w, 'stroke-dasharray': dash }));
    parts.push(el('text', { x: lx + 30, y: ly }, esc(label)));
    lx += 30 + textWidth(label, 12) + 24;
  }
  if (drops.length > 0) {
    parts.push(el('path', { d: `M${lx},${ly - 9} L${lx + 10},${ly - 9} L${lx + 5},${ly - 1} Z`, fill: '#d62728' }));
    parts.push(el('text', { x: lx + 16, y: ly }, 'sub-layer dropped'));
  }
  return svgDocument(WIDTH, HEIGHT, title, parts.join('\n'));
}
