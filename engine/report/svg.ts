/**
 * A small, dependency-free SVG kit for the report plots: element strings, linear scales with "nice" ticks
 * (steps of 1, 2 or 5 × 10^k), axes with titles, a sequential colour map and a rough text-width estimate for
 * label placement. Output is deterministic (same report → same bytes), which keeps the plots testable.
 */

/** Escapes text for SVG/XML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Rounds a coordinate to 2 decimals (compact, stable output). */
export function r2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** An element string: `el('circle', {cx: 1}, '')` → `<circle cx="1"/>`. Attributes with undefined are left out. */
export function el(tag: string, attrs: Record<string, string | number | undefined>, children = ''): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? r2(v) : esc(v!)}"`)
    .join('');
  return children ? `<${tag}${a}>${children}</${tag}>` : `<${tag}${a}/>`;
}

/** Font stack used by every plot. */
export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Approximate rendered width (px) of text in FONT at a font size (px); average glyph ≈ 0.58 em. */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.58;
}

/**
 * `text` cut to fit `maxWidth` px at `fontSize` (by textWidth): unchanged when it fits, else its start up to a
 * word boundary where one is near, followed by "…".
 */
export function fitText(text: string, fontSize: number, maxWidth: number): string {
  if (textWidth(text, fontSize) <= maxWidth) return text;
  const chars = [...text];
  let n = Math.max(0, Math.floor(maxWidth / (fontSize * 0.58)) - 1);
  while (n > 0 && textWidth(`${chars.slice(0, n).join('')}…`, fontSize) > maxWidth) n--;
  const cut = chars.slice(0, n).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space >= n * 0.75 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Font size (px) of a plot's visible title. */
export const TITLE_FONT_SIZE = 15;

/**
 * A complete SVG document with a white background, a <title> (the whole `title`) and the given body; the visible
 * title is fitted to the width less 16 px on each side (fitText).
 */
export function svgDocument(width: number, height: number, title: string, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${FONT}" font-size="12">\n` +
    `<title>${esc(title)}</title>\n` +
    el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }) +
    '\n' +
    el('text', { x: width / 2, y: 22, 'text-anchor': 'middle', 'font-size': TITLE_FONT_SIZE, 'font-weight': 'bold' }, esc(fitText(title, TITLE_FONT_SIZE, width - 32))) +
    `\n${body}\n</svg>\n`
  );
}

/**
 * Ticks covering [min, max] with a step of 1, 2 or 5 × 10^k, about `count` of them; the first tick ≤ min and
 * the last ≥ max. A zero-width range is widened around its value.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`cannot make ticks for [${min}, ${max}]`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const round = (v: number) => Number(v.toFixed(decimals));
  const ticks: number[] = [];
  for (let v = Math.floor(min / step + 1e-9) * step; v <= max + step * (1 - 1e-9); v += step) ticks.push(round(v));
  if (ticks.at(-1)! < max) ticks.push(round(ticks.at(-1)! + step));
  return ticks;
}

/** Formats a tick value with as many decimals as its tick step needs. */
export function formatTick(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(decimals, 6));
}

/** A linear map from a data domain onto a pixel range, with its tick values. */
export interface Scale {
  /** Data value → pixel. */
  map: (v: number) => number;
  /** [low, high] data domain (the outer ticks). */
  domain: [number, number];
  ticks: number[];
}

/**
 * A scale whose domain is the nice ticks around [min, max], optionally clamped to [lo, hi] (e.g. [0, 1] for a
 * fraction), mapped onto [r0, r1] pixels.
 */
export function linearScale(min: number, max: number, r0: number, r1: number, count = 5, clamp?: [number, number]): Scale {
  let ticks = niceTicks(min, max, count);
  if (clamp) {
    ticks = ticks.filter((t) => t >= clamp[0] - 1e-12 && t <= clamp[1] + 1e-12);
    if (ticks.length < 2) ticks = niceTicks(clamp[0], clamp[1], count);
  }
  const d0 = Math.min(ticks[0]!, min);
  const d1 = Math.max(ticks.at(-1)!, max);
  const map = (v: number) => r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);
  return { map, domain: [d0, d1], ticks };
}

/** Plot area in pixels. */
export interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Grid lines, a frame, tick labels and axis titles for a plot area.
 * @param x scale mapping onto [frame.left, frame.left + width]
 * @param y scale mapping onto [frame.top + height, frame.top]
 */
export function axes(frame: Frame, x: Scale, y: Scale, xTitle: string, yTitle: string, xFormat?: (v: number) => string): string {
  const { left, top, width, height } = frame;
  const bottom = top + height;
  const parts: string[] = [];
  const xs = x.ticks.length > 1 ? x.ticks[1]! - x.ticks[0]! : 1;
  const ys = y.ticks.length > 1 ? y.ticks[1]! - y.ticks[0]! : 1;
  for (const t of x.ticks) {
    const px = x.map(t);
    parts.push(el('line', { x1: px, y1: top, x2: px, y2: bottom, stroke: '#e4e4e4' }));
    parts.push(el('line', { x1: px, y1: bottom, x2: px, y2: bottom + 5, stroke: '#444' }));
    const label = xFormat ? xFormat(t) : formatTick(t, xs);
    parts.push(el('text', { x: px, y: bottom + 18, 'text-anchor': 'middle', fill: '#333' }, esc(label)));
  }
  for (const t of y.ticks) {
    const py = y.map(t);
    parts.push(el('line', { x1: left, y1: py, x2: left + width, y2: py, stroke: '#e4e4e4' }));
    parts.push(el('line', { x1: left - 5, y1: py, x2: left, y2: py, stroke: '#444' }));
    parts.push(el('text', { x: left - 8, y: py + 4, 'text-anchor': 'end', fill: '#333' }, esc(formatTick(t, ys))));
  }
  parts.push(el('rect', { x: left, y: top, width, height, fill: 'none', stroke: '#444' }));
  parts.push(el('text', { x: left + width / 2, y: bottom + 40, 'text-anchor': 'middle', 'font-size': 13 }, esc(xTitle)));
  const cy = top + height / 2;
  parts.push(
    el('text', { x: left - 52, y: cy, 'text-anchor': 'middle', 'font-size': 13, transform: `rotate(-90 ${r2(left - 52)} ${r2(cy)})` }, esc(yTitle)),
  );
  return parts.join('\n');
}

/** Anchors of the viridis colour map (matplotlib), from dark purple (0) to yellow (1). */
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** Viridis colour at t ∈ [0, 1] (clamped), linearly interpolated between anchors, as `#rrggbb`. */
export function viridis(t: number): string {
  const c = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(c));
  const f = c - i;
  const rgb = (h: string) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16));
  const a = rgb(VIRIDIS[i]!);
  const b = rgb(VIRIDIS[i + 1]!);
  return '#' + a.map((v, k) => Math.round(v + (b[k]! - v) * f).toString(16).padStart(2, '0')).join('');
}

/** True when a `#rrggbb` colour is dark enough to need white text (relative luminance < 0.4). */
export function isDark(hex: string): boolean {
  const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16) / 255);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! < 0.4;
}

/**
 * A vertical colour bar legend for a continuous value mapped through viridis.
 * @returns SVG for a bar at (x, y) of the given height, labelled at its ends and titled above
 */
export function colourBar(x: number, y: number, height: number, min: number, max: number, title: string, format: (v: number) => string): string {
  const steps = 24;
  const parts = [el('text', { x, y: y - 8, 'font-size': 12, 'font-weight': 'bold' }, esc(title))];
  for (let i = 0; i < steps; i++) {
    const t = 1 - i / steps; // top = max
    parts.push(el('rect', { x, y: y + (i * height) / steps, width: 16, height: height / steps + 0.5, fill: viridis(t - 0.5 / steps) }));
  }
  parts.push(el('rect', { x, y, width: 16, height, fill: 'none', stroke: '#444' }));
  parts.push(el('text', { x: x + 22, y: y + 10 }, esc(format(max))));
  parts.push(el('text', { x: x + 22, y: y + height }, esc(format(min))));
  return parts.join('\n');
}
