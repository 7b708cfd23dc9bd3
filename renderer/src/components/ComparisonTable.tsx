/**
 * A completed run's comparison: the base model, the baselines and TrimLLM's checkpoints, all measured side by
 * side on the test split at the end — performance, parameter bytes, decode tokens/s and the speed-up over the
 * base model. Rows: base first, then baselines, then TrimLLM (fewest sub-layers kept last).
 */
import { kindLabel, metricLabel, speedUp, type FrontierPoint } from '../lib/metrics.ts';
import { formatBytes, formatNumber, formatPercent } from '../lib/format.ts';
import { EmptyState } from './ui.tsx';

const ORDER = ['base', 'full-finetune', 'sparse-finetune', 'baseline-random', 'baseline-top', 'baseline-bottom', 'baseline-block-influence', 'baseline-angular', 'trimllm'];
const rank = (kind: string) => (ORDER.includes(kind) ? ORDER.indexOf(kind) : ORDER.length - 1);

/** The table of `points` (runPoints of a completed run); `reference` is the base model's entry. */
export function ComparisonTable({ points, reference }: { points: FrontierPoint[]; reference: FrontierPoint | null }) {
  const others = points.filter((p) => p.kind !== 'trimllm');
  if (others.length === 0) {
    return (
      <EmptyState title="No comparison yet" testId="comparison-empty">
        When the run completes, the base model and the baselines chosen on the Trim page are measured beside its checkpoints.
      </EmptyState>
    );
  }
  const rows = [...points].sort((a, b) => rank(a.kind) - rank(b.kind) || b.keptFraction - a.keptFraction || (a.step ?? 0) - (b.step ?? 0));
  return (
    <div className="overflow-x-auto">
      <table data-testid="comparison-table" className="w-full text-left text-sm">
        <caption className="sr-only">Base model, baselines and TrimLLM checkpoints measured side by side</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-medium">Model</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Kept</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Performance</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Param bytes</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Decode tokens/s</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Speed-up vs base</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((p, i) => {
            const s = speedUp(p, reference);
            return (
              <tr key={i} data-testid={`comparison-row-${p.kind}`} className={p.kind === 'base' ? 'bg-slate-50' : undefined}>
                <td className="px-2 py-1.5">
                  <span className="font-medium text-slate-900">{kindLabel(p.kind)}</span>
                  {p.kind === 'trimllm' && <span className="ml-2 text-xs text-slate-500">{p.name}</span>}
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatPercent(p.keptFraction, 0)}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">
                  {formatPercent(p.performance)} <span className="text-xs text-slate-500">{metricLabel(p.metric)}</span>
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatBytes(p.paramBytes)}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatNumber(p.decodeTokensPerSecond)}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">{s !== null ? `${s.toFixed(2)}×` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
