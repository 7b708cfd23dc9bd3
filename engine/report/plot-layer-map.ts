/**
 * layer-map.svg: which sub-layers were dropped and when. Rows are decoder blocks 0..L−1 (input side at the top),
 * two columns: attention and MLP. A dropped cell is coloured by the training step of its drop (viridis: early =
 * dark, late = yellow) and shows its drop order; a kept cell is white, outlined, and says "kept".
 */
import type { DropEvent } from './types.ts';
import { colourBar, el, esc, isDark, svgDocument, viridis } from './svg.ts';

const CELL_W = 150;
const LEFT = 96;
const TOP = 84;

/**
 * Renders the layer map.
 * @param nLayers number of blocks L
 * @param drops drops in order; a sub-layer named twice keeps its first drop
 * @throws Error when nLayers is not a positive integer
 */
export function renderLayerMap(nLayers: number, drops: readonly DropEvent[], title = 'Sub-layers dropped, by training step'): string {
  if (!Number.isInteger(nLayers) || nLayers < 1) throw new Error(`nLayers must be a positive integer, got ${nLayers}`);
  const cellH = Math.max(8, Math.min(34, Math.floor(640 / nLayers)));
  const showText = cellH >= 14;
  const fontSize = Math.min(12, cellH - 3);
  const dropped = new Map<string, { order: number; step: number; epoch: number }>();
  drops.forEach((d, i) => {
    if (!dropped.has(d.subLayer)) dropped.set(d.subLayer, { order: i + 1, step: d.step, epoch: d.epoch });
  });
  const steps = [...dropped.values()].map((d) => d.step);
  const minStep = steps.length ? Math.min(...steps) : 0;
  const maxStep = steps.length ? Math.max(...steps) : 0;
  const t = (step: number) => (maxStep > minStep ? (step - minStep) / (maxStep - minStep) : 0.5);

  const parts: string[] = [];
  const columns = ['attention', 'MLP'];
  columns.forEach((name, c) => {
    parts.push(el('text', { x: LEFT + c * CELL_W + CELL_W / 2, y: TOP - 10, 'text-anchor': 'middle', 'font-weight': 'bold' }, name));
  });
  parts.push(el('text', { x: LEFT + CELL_W, y: TOP - 32, 'text-anchor': 'middle', 'font-size': 13 }, 'sub-layer'));
  const gridH = nLayers * cellH;
  const labelEvery = Math.ceil(12 / cellH); // keep block labels ≥ 12 px apart
  for (let l = 0; l < nLayers; l++) {
    const y = TOP + l * cellH;
    if (l % labelEvery === 0) {
      parts.push(el('text', { x: LEFT - 8, y: y + cellH / 2 + 4, 'text-anchor': 'end', fill: '#333', 'font-size': Math.min(12, Math.max(9, cellH - 2)) }, String(l)));
    }
    columns.forEach((_, c) => {
      const name = `${c === 0 ? 'attn' : 'mlp'}${l}`;
      const x = LEFT + c * CELL_W;
      const d = dropped.get(name);
      const fill = d ? viridis(t(d.step)) : '#ffffff';
      const inset = showText ? 1 : 0.5; // thin rows: thinner, lighter outlines so colours stay visible
      parts.push(el('rect', {
        x: x + inset, y: y + inset, width: CELL_W - 2 * inset, height: cellH - 2 * inset, fill,
        stroke: d ? 'none' : showText ? '#555' : '#c8c8c8', 'stroke-width': showText ? 1 : 0.5,
      }));
      if (showText) {
        const text = d ? `#${d.order} · step ${d.step}` : 'kept';
        parts.push(
          el('text', {
            x: x + CELL_W / 2, y: y + cellH / 2 + fontSize * 0.35, 'text-anchor': 'middle', 'font-size': fontSize,
            fill: d ? (isDark(fill) ? '#ffffff' : '#111111') : '#333333', 'font-weight': d ? undefined : 'bold',
          }, esc(text)),
        );
      }
    });
  }
  const cy = TOP + gridH / 2;
  parts.push(el('text', { x: 46, y: cy, 'text-anchor': 'middle', 'font-size': 13, transform: `rotate(-90 46 ${cy})` }, 'decoder block'));

  // Legend: colour bar of drop steps, the kept swatch, and a note on the numbers.
  const lx = LEFT + 2 * CELL_W + 36;
  const barH = Math.min(200, Math.max(80, gridH - 60));
  if (steps.length > 0) {
    parts.push(colourBar(lx, TOP + 10, barH, minStep, maxStep, 'drop step', (v) => String(Math.round(v))));
  }
  const ky = TOP + (steps.length > 0 ? barH + 40 : 10);
  parts.push(el('rect', { x: lx, y: ky, width: 16, height: 16, fill: '#ffffff', stroke: '#555' }));
  parts.push(el('text', { x: lx + 22, y: ky + 12 }, 'kept'));
  parts.push(el('text', { x: lx, y: ky + 38, 'font-size': 11, fill: '#555' }, '#k = k-th sub-layer dropped'));
  parts.push(el('text', { x: lx, y: ky + 54, 'font-size': 11, fill: '#555' }, 'block 0 = input side'));
  parts.push(el('text', { x: lx, y: ky + 70, 'font-size': 11, fill: '#555' }, `${dropped.size} of ${2 * nLayers} sub-layers dropped`));
  const width = lx + 190;
  const height = Math.max(TOP + gridH + 30, ky + 86);
  return svgDocument(width, height, title, parts.join('\n'));
}
