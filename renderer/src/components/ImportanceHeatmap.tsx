/**
 * The latest importance scan as a heatmap: rows = blocks, columns attention/MLP, colour = calibration performance
 * P with the sub-layer dropped (high P = dropping it hurts least = low importance, I = 1/(P+ε)). The outlined
 * cell is the least important one: the next to drop. Sub-layers not in the scan were already dropped.
 */
import { normalise, rampColour, rampText, RAMP_GRADIENT } from '../lib/colour.ts';
import { formatNumber, formatPercent } from '../lib/format.ts';
import { SubLayerGrid, type SubLayerTile } from './SubLayerGrid.tsx';

/** One sub-layer's score in a scan. */
export interface ScanScore {
  subLayer: string;
  calibrationPerformance: number | null;
  importance: number | null;
  activationNorm: number | null;
}

function tileOf(name: string, score: ScanScore | undefined, t: number, next: boolean): SubLayerTile {
  const p = score?.calibrationPerformance;
  if (p === null || p === undefined) return { text: '—', className: 'bg-slate-100 text-slate-400 font-normal', label: `${name}: not scored (dropped)` };
  return {
    label: `${name}: P without it ${formatPercent(p)}, importance ${formatNumber(score?.importance)}, activation norm ${formatNumber(score?.activationNorm)}${next ? ' (least important: next to drop)' : ''}`,
    text: formatPercent(p),
    className: `tabular-nums ${next ? 'ring-2 ring-red-600 ring-offset-1' : ''}`,
    style: { background: rampColour(t), color: rampText(t) },
  };
}

/**
 * The sub-layer the scan ranks least important: lowest importance score; ties broken by the highest activation
 * norm (the "both" rule); scans without importance fall back to the highest P.
 */
export function leastImportant(scores: ScanScore[]): ScanScore | null {
  let best: ScanScore | null = null;
  const key = (s: ScanScore): [number, number] => [s.importance ?? -(s.calibrationPerformance ?? -Infinity), -(s.activationNorm ?? 0)];
  for (const s of scores) {
    if (s.calibrationPerformance === null && s.importance === null) continue;
    if (best === null) {
      best = s;
      continue;
    }
    const [a1, a2] = key(s);
    const [b1, b2] = key(best);
    if (a1 < b1 || (a1 === b1 && a2 < b2)) best = s;
  }
  return best;
}

/** The heatmap of `scores` for an `nLayers`-block model. */
export function ImportanceHeatmap({ nLayers, scores, title }: { nLayers: number; scores: ScanScore[]; title: string }) {
  const byName = new Map(scores.map((s) => [s.subLayer, s]));
  const ps = scores.map((s) => s.calibrationPerformance).filter((p): p is number => p !== null);
  const min = Math.min(...ps);
  const max = Math.max(...ps);
  const next = leastImportant(scores);
  return (
    <figure data-testid="importance-heatmap">
      <figcaption className="mb-2 text-sm text-slate-600">{title}</figcaption>
      <SubLayerGrid nLayers={nLayers} testIdPrefix="importance-cell-" tile={(name) => {
        const s = byName.get(name);
        return tileOf(name, s, normalise(s?.calibrationPerformance ?? 0, min, max), next?.subLayer === name);
      }} />
      {ps.length > 0 && (
        <div className="mt-2 max-w-xs text-xs text-slate-600">
          <div className="h-2 rounded" style={{ background: RAMP_GRADIENT }} aria-hidden="true" />
          <div className="flex justify-between tabular-nums">
            <span>{formatPercent(min)} (important)</span>
            <span>{formatPercent(max)} (droppable)</span>
          </div>
        </div>
      )}
    </figure>
  );
}
