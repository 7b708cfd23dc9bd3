/** Colour scales for heatmaps and throughput (a perceptually ordered blue → teal → yellow ramp). */

const RAMP: [number, number, number][] = [
  [49, 54, 149],
  [69, 117, 180],
  [116, 173, 209],
  [171, 217, 233],
  [254, 224, 144],
  [253, 174, 97],
  [244, 109, 67],
];

/** Colour of `t` in [0, 1] on the ramp (clamped). */
export function rampColour(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]];
  const c = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** A CSS gradient of the whole ramp (for legends). */
export const RAMP_GRADIENT = `linear-gradient(to right, ${RAMP.map((c) => `rgb(${c.join(',')})`).join(', ')})`;

/** WCAG relative luminance of an `rgb(r, g, b)` colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+/g) ?? ['0', '0', '0']).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Dark or white text, whichever has the higher WCAG contrast on ramp colour `t`. */
export function rampText(t: number): string {
  const l = luminance(rampColour(t));
  const dark = 0.0099; // luminance of #0f172a
  return (l + 0.05) / (dark + 0.05) >= 1.05 / (l + 0.05) ? '#0f172a' : '#ffffff';
}

/** Normalises `v` to [0, 1] between `min` and `max` (0.5 when they are equal). */
export function normalise(v: number, min: number, max: number): number {
  return max > min ? (v - min) / (max - min) : 0.5;
}
