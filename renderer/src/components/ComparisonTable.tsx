/**
 * A completed run's comparison: the base model, the baselines and TrimLLM's checkpoints, all measured side by
 * side on the test split at the end — performance, parameter bytes, decode tokens/s and the speed-up over the
 * base model. Rows: base first, then baselines, then TrimLLM (fewest sub-layers kept last).
 */
import { kindLabel, pointLabel, speedUp, type FrontierPoint } from '../lib/metrics.ts';
import { formatBytes, formatPercent } from '../lib/format.ts';
import { EmptyState } from './ui.tsx';
import { Score, ScoreLegend, Speed } from './Score.tsx';

const ORDER = ['base', 'full-finetune', 'sparse-finetune', 'baseline-random', 'baseline-top', 'baseline-bottom', 'baseline-block-influence', 'baseline-angular', 'trimllm'];
const rank = (kind: string) => (ORDER.includes(kind) ? ORDER.indexOf(kind) : ORDER.length - 1);

/** The table of `points` (runPoints of a completed run); `reference` is the base model's entry. */
export function ComparisonTable({ points, reference, recommended }: { points: FrontierPoint[]; reference: FrontierPoint | null; recommended?: FrontierPoint | null }) {
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
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Comparison table (scrolls sideways)">
      <ScoreLegend e={points[0]} />
      <table data-testid="comparison-table" className="w-full text-left text-sm">
        <caption className="sr-only">Base model, baselines and TrimLLM checkpoints measured side by side</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-medium">Model</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Kept · size</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Score</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium" title="Tokens written per second (a token is about ¾ of a word); in brackets how much faster than the base model">Speed (vs base)</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((p, i) => {
            const s = speedUp(p, reference);
            return (
              <tr key={i} data-testid={`comparison-row-${p.kind}`} className={p.kind === 'base' ? 'bg-slate-50' : undefined}>
                <td className="px-2 py-1.5">
                  <span className="font-medium text-slate-900">{kindLabel(p.kind)}</span>
                  {p.kind === 'trimllm' && <span className="ml-2 text-xs text-slate-600">{pointLabel(p)}</span>}
                  {p === recommended && <span className="ml-2 rounded bg-green-100 px-1.5 py-0.5 text-xs font-medium text-green-900">recommended</span>}
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatPercent(p.keptFraction, 0)}<span className="block text-xs text-slate-600">{formatBytes(p.paramBytes)}</span></td>
                <td className="px-2 py-1.5 text-right tabular-nums">
                  <Score e={p} />
                </td>
                <td className="px-2 py-1.5 text-right"><Speed e={p} speedUp={s} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
