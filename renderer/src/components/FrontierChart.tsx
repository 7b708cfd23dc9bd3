/**
 * The frontier: kept fraction (x) against task performance (y); point fill and size = decode tokens/s.
 * TrimLLM drop checkpoints form a dark line, healing checkpoints a green dashed one (green-ringed points, spread a
 * little to the right where they share a kept fraction); the base model and baselines are distinct markers. Every
 * TrimLLM point is labelled with its checkpoint; the tooltip gives label, metric, tokens/s and size.
 */
import { CartesianGrid, Cell, ErrorBar, LabelList, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import type { FrontierEntry, FrontierPoint } from '../lib/metrics.ts';
import { dodgeX, kindLabel, metricLabel, pointLabel, standardError } from '../lib/metrics.ts';
import { formatError } from './Score.tsx';
import { formatBytes, formatNumber, formatPercent } from '../lib/format.ts';
import { normalise, rampColour, RAMP_GRADIENT } from '../lib/colour.ts';
import { EmptyState } from './ui.tsx';

type Shape = 'circle' | 'diamond' | 'square' | 'triangle' | 'cross' | 'star' | 'wye';
const SHAPES: Record<string, Shape> = {
  base: 'star',
  'full-finetune': 'diamond',
  'sparse-finetune': 'square',
  'baseline-random': 'triangle',
  'baseline-top': 'cross',
  'baseline-bottom': 'wye',
  'baseline-block-influence': 'circle',
  'baseline-angular': 'cross',
};

function TooltipBody({ active, payload }: { active?: boolean; payload?: readonly { payload?: unknown }[] }) {
  const e = active ? (payload?.[0]?.payload as FrontierEntry | undefined) : undefined;
  if (!e) return null;
  return (
    <div className="rounded border border-slate-200 bg-white px-2 py-1 text-xs shadow">
      <div className="font-medium">{pointLabel(e)}</div>
      <div>kept {e.kept.length} sub-layers ({formatPercent(e.keptFraction)})</div>
      <div>
        {metricLabel(e.metric)} {formatPercent(e.performance)}{formatError(standardError(e))}
        {e.accNorm !== undefined && <> · {metricLabel('acc_norm')} {formatPercent(e.accNorm)}</>}
      </div>
      <div>decode {formatNumber(e.decodeTokensPerSecond)} tokens/s · {formatBytes(e.paramBytes)}</div>
    </div>
  );
}

/** A point's label on one line (recharts' own label wraps at the symbol's width). x, y, width, height: the symbol's box. */
function PointLabel({ x, y, width, height, value, colour, offsetX = 0, offsetY = 0, anchor }: {
  x?: number | string; y?: number | string; width?: number | string; height?: number | string; value?: unknown;
  colour: string; offsetX?: number; offsetY?: number; anchor: 'start' | 'middle';
}) {
  const cx = Number(x ?? 0) + Number(width ?? 0) / 2;
  const cy = Number(y ?? 0) + Number(height ?? 0) / 2;
  return (
    <text x={cx + offsetX} y={cy + offsetY} textAnchor={anchor} dominantBaseline="middle" fontSize={10} fill={colour}>
      {String(value ?? '')}
    </text>
  );
}

const DROP_COLOUR = '#334155';
const HEAL_COLOUR = '#059669';
/** Horizontal spread between points at one kept fraction (fraction units). */
const DODGE = 0.012;

/** The chart of `entries`; `recommended` is ringed and labelled; a dashed line marks guessing level when known. */
export function FrontierChart({ entries, recommended }: { entries: FrontierPoint[]; recommended?: FrontierPoint | null }) {
  if (entries.length === 0) {
    return (
      <div data-testid="frontier-chart">
        <EmptyState title="No measured checkpoints yet">Points appear as checkpoints are evaluated (accuracy and tokens/s).</EmptyState>
      </div>
    );
  }
  const speeds = entries.map((e) => e.decodeTokensPerSecond);
  const [lo, hi] = [Math.min(...speeds), Math.max(...speeds)];
  // Drop checkpoints form the line; healing checkpoints (same keep mask, more fine-tuning) a dashed one.
  const byStep = (a: FrontierEntry, b: FrontierEntry) => (a.step ?? 0) - (b.step ?? 0) || b.keptFraction - a.keptFraction;
  const trimSorted = entries.filter((e) => e.kind === 'trimllm' && e.phase !== 'heal').sort(byStep);
  const healSorted = entries.filter((e) => e.kind === 'trimllm' && e.phase === 'heal').sort(byStep);
  // x = the kept fraction, heal points moved right of the drop point (and of each other) they share it with.
  const xs = dodgeX([...trimSorted, ...healSorted].map((e) => e.keptFraction), DODGE);
  // On the chart a drop point says what it dropped (`-attn2`), a heal point its label; the tooltip says it all.
  // Only the recommended point is labelled on the chart (labels of neighbours overlapped); the tooltip names each.
  const labelOf = (e: FrontierPoint) => (e === recommended ? `recommended: ${pointLabel(e)}` : '');
  const err = (e: FrontierEntry) => standardError(e) ?? 0;
  const trim = trimSorted.map((e) => ({ ...e, x: e.keptFraction, label: labelOf(e), err: err(e) }));
  const heal = healSorted.map((e, i) => ({ ...e, x: xs[trimSorted.length + i]!, label: labelOf(e), err: err(e) }));
  const chances = entries.flatMap((e) => (e.chance !== undefined ? [e.chance] : []));
  const chance = chances.length > 0 ? chances.reduce((a, b) => a + b, 0) / chances.length : null;
  const maxPerf = Math.max(...entries.map((e) => e.performance + err(e)), chance ?? 0);
  const yMax = Math.min(1, Math.ceil((maxPerf + 0.02) * 10) / 10);
  const yStep = yMax <= 0.4 ? 0.05 : 0.1;
  const yTicks = Array.from({ length: Math.round(yMax / yStep) + 1 }, (_, i) => Math.round(i * yStep * 100) / 100);
  const others = [...new Set(entries.filter((e) => e.kind !== 'trimllm').map((e) => e.kind))];
  const minKept = Math.min(...entries.map((e) => e.keptFraction));
  const xMin = Math.max(0, Math.floor((minKept - 0.05) * 10) / 10);
  const xStep = 1 - xMin > 0.5 ? 0.1 : 0.05;
  const xMax = Math.max(1, ...heal.map((e) => e.x)) + 0.03; // room for the base model's marker at 100%
  const xTicks = Array.from({ length: Math.round((1 - xMin) / xStep) + 1 }, (_, i) => Math.round((xMin + i * xStep) * 100) / 100);
  const fill = (e: FrontierEntry): string => rampColour(normalise(e.decodeTokensPerSecond, lo, hi));
  return (
    <figure data-testid="frontier-chart">
      <div className="h-80 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" dataKey="x" domain={[xMin, xMax]} ticks={xTicks} tickFormatter={(v: number) => formatPercent(v, 0)} tick={{ fontSize: 11 }} label={{ value: 'kept fraction of sub-layers', position: 'insideBottom', offset: -12, fontSize: 11 }} />
            <YAxis type="number" dataKey="performance" domain={[0, yMax]} ticks={yTicks} tickFormatter={(v: number) => formatPercent(v, 0)} tick={{ fontSize: 11 }} width={48} />
            <ZAxis type="number" dataKey="decodeTokensPerSecond" range={[50, 320]} />
            <Tooltip content={(props) => <TooltipBody active={props.active} payload={props.payload} />} />
            <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
            {chance !== null && (
              <ReferenceLine y={chance} stroke="#b45309" strokeDasharray="6 4" label={{ value: `guessing (${formatPercent(chance, 0)})`, position: 'insideBottomLeft', fontSize: 11, fill: '#92400e' }} />
            )}
            <Scatter name="TrimLLM drops" data={trim} line={{ stroke: DROP_COLOUR, strokeWidth: 1.5 }} shape="circle" fill={DROP_COLOUR} isAnimationActive={false}>
              {trim.map((e, i) => (
                <Cell key={i} fill={fill(e)} stroke={DROP_COLOUR} strokeWidth={trimSorted[i] === recommended ? 4 : 1} />
              ))}
              <ErrorBar dataKey="err" direction="y" width={6} stroke={DROP_COLOUR} strokeWidth={1.5} />
              <LabelList dataKey="label" content={(p) => <PointLabel x={p.x} y={p.y} width={p.width} height={p.height} value={p.value} colour={DROP_COLOUR} offsetY={-12} anchor="middle" />} />
            </Scatter>
            {heal.length > 0 && (
              <Scatter name="TrimLLM healing" data={heal} line={{ stroke: HEAL_COLOUR, strokeWidth: 1.5, strokeDasharray: '4 3' }} shape="circle" fill={HEAL_COLOUR} isAnimationActive={false}>
                {heal.map((e, i) => (
                  <Cell key={i} fill={fill(e)} stroke={HEAL_COLOUR} strokeWidth={healSorted[i] === recommended ? 5 : 2.5} />
                ))}
                <ErrorBar dataKey="err" direction="y" width={6} stroke={HEAL_COLOUR} strokeWidth={1.5} />
                <LabelList dataKey="label" content={(p) => <PointLabel x={p.x} y={p.y} width={p.width} height={p.height} value={p.value} colour={HEAL_COLOUR} offsetX={10} offsetY={10} anchor="start" />} />
              </Scatter>
            )}
            {others.map((kind) => {
              const data = entries.filter((e) => e.kind === kind).map((e) => ({ ...e, x: e.keptFraction, err: err(e) }));
              return (
                <Scatter key={kind} name={kindLabel(kind)} data={data} shape={SHAPES[kind] ?? 'diamond'} fill="#64748b" isAnimationActive={false}>
                  {data.map((e, i) => (
                    <Cell key={i} fill={fill(e)} stroke="#0f172a" />
                  ))}
                  <ErrorBar dataKey="err" direction="y" width={4} stroke="#0f172a" strokeWidth={1} />
                </Scatter>
              );
            })}
          </ScatterChart>
        </ResponsiveContainer>
      </div>
      <div className="mt-1 flex max-w-sm items-center gap-2 text-xs text-slate-600">
        <span>speed (tokens/s)</span>
        <span className="tabular-nums">{formatNumber(lo)}</span>
        <span className="h-2 flex-1 rounded" style={{ background: RAMP_GRADIENT }} aria-hidden="true" />
        <span className="tabular-nums">{formatNumber(hi)}</span>
      </div>
      <figcaption className="sr-only">
        {chance !== null && `Dashed line: guessing level ${formatPercent(chance, 0)}. Bars: ± one standard error. `}
        {trim.length} TrimLLM drop checkpoints, {heal.length} healing checkpoints (drawn slightly right of their kept fraction when they share it) and {entries.length - trim.length - heal.length} other models: performance against kept fraction.
      </figcaption>
    </figure>
  );
}
