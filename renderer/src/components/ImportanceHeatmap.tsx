/**
 * The latest importance scan as a heatmap: rows = blocks, columns attention/MLP, colour = calibration performance
 * P with the sub-layer dropped (high P = dropping it hurts least = low importance, I = 1/(P+ε)). The outlined
 * cell is the one the engine chose to drop from this scan (its `chosen` flag, set by chooseDrop): 'next' while
 * still kept, outlined and hatched once dropped. Sub-layers dropped by now are grey and hatched (their old score
 * in the tooltip).
 */
import { normalise, rampColour, rampText, RAMP_GRADIENT } from '../lib/colour.ts';
import { formatNumber, formatPercent } from '../lib/format.ts';
import type { Response } from '../../../electron/api/contract.ts';

/** One sub-layer's score in a scan, as runs.get returns it. */
type ScanScore = Response<'runs.get'>['scans'][number]['scores'][number];
import { SubLayerGrid, type SubLayerTile } from './SubLayerGrid.tsx';

const HATCH = 'repeating-linear-gradient(135deg, #f1f5f9 0 6px, #e2e8f0 6px 8px)';

function tileOf(name: string, score: ScanScore | undefined, t: number, next: boolean, dropped: boolean): SubLayerTile {
  const p = score?.calibrationPerformance;
  if (dropped || p === null || p === undefined) {
    const chosen = score?.chosen === true;
    return {
      text: 'dropped', className: `border border-dashed border-slate-400 text-slate-600 font-normal ${chosen ? 'ring-2 ring-red-600 ring-offset-1' : ''}`, style: { background: HATCH },
      label: `${name}: dropped${p !== null && p !== undefined ? ` (quality without it was ${formatPercent(p)} in this scan)` : ''}${chosen ? '; removed because of this scan' : ''}`,
      data: { 'data-state': 'dropped' },
    };
  }
  return {
    data: { 'data-state': next ? 'next' : 'kept' },
    label: `${name}: quality without it ${formatPercent(p)}, importance ${formatNumber(score?.importance)}, output size (activation norm) ${formatNumber(score?.activationNorm)}${next ? ' (chosen: next to drop)' : ''}`,
    text: formatPercent(p),
    className: `tabular-nums ${next ? 'ring-2 ring-red-600 ring-offset-1' : ''}`,
    style: { background: rampColour(t), color: rampText(t) },
  };
}

/** The heatmap of `scores` for an `nLayers`-block model; `dropped`: sub-layers dropped by now (latest keep mask). */
export function ImportanceHeatmap({ nLayers, scores, title, dropped }: { nLayers: number; scores: ScanScore[]; title: string; dropped: ReadonlySet<string> }) {
  const byName = new Map(scores.map((s) => [s.subLayer, s]));
  const ps = scores.filter((s) => !dropped.has(s.subLayer)).map((s) => s.calibrationPerformance).filter((p): p is number => p !== null);
  const min = Math.min(...ps);
  const max = Math.max(...ps);
  const chosen = scores.find((s) => s.chosen)?.subLayer;
  const next = chosen !== undefined && !dropped.has(chosen) ? chosen : null;
  return (
    <figure data-testid="importance-heatmap">
      <figcaption className="mb-2 text-sm text-slate-600">{title}</figcaption>
      <SubLayerGrid nLayers={nLayers} testIdPrefix="importance-cell-" tile={(name) => {
        const s = byName.get(name);
        return tileOf(name, s, normalise(s?.calibrationPerformance ?? 0, min, max), next === name, dropped.has(name));
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
