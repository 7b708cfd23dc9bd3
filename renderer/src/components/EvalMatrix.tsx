/**
 * The evaluation matrix: models as rows, datasets as columns, each cell "accuracy ± standard error" with how it
 * compares with the base model in words (better / within noise / worse) and colour, and each dataset's chance
 * level (a random guess) in its column heading. Cells not measured yet show "waiting…".
 */
import { cellKey, matrixShape, verdictOf, type EvalCell, type Verdict } from '../lib/eval-matrix.ts';
import { formatPercent } from '../lib/format.ts';

const VERDICT_STYLE: Record<Verdict, string> = {
  better: 'bg-green-50 text-green-900',
  'within noise': 'bg-slate-50 text-slate-800',
  worse: 'bg-red-50 text-red-900',
  'base model': 'bg-white text-slate-900',
  'no base': 'bg-white text-slate-900',
};

const VERDICT_WORDS: Record<Verdict, string> = {
  better: 'better than the base model',
  'within noise': 'same as the base model (within noise)',
  worse: 'worse than the base model',
  'base model': 'base model',
  'no base': 'base model not evaluated',
};

/** The matrix of `cells` (any order; base-model rows first). */
export function EvalMatrix({ cells }: { cells: readonly EvalCell[] }) {
  const { rows, cols } = matrixShape(cells);
  const byKey = new Map(cells.map((c) => [cellKey(c), c]));
  return (
    <div className="overflow-x-auto">
      <table data-testid="eval-matrix" className="min-w-full border-collapse text-sm">
        <thead>
          <tr>
            <th scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-medium text-slate-600">Model</th>
            {cols.map((c) => (
              <th key={c.datasetId} scope="col" data-testid={`eval-col-${c.datasetId}`} className="border-b border-slate-200 px-2 py-1 text-left font-medium text-slate-700">
                {c.name}
                <span className="block text-xs font-normal text-slate-500" data-testid="eval-chance">
                  {c.chance !== null ? `random guess: ${formatPercent(c.chance)}` : 'no chance level'}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-testid="eval-row">
              <th scope="row" className="border-b border-slate-100 px-2 py-1 text-left font-normal text-slate-800">{r.label}</th>
              {cols.map((c) => {
                const cell = byKey.get(cellKey({ modelId: r.modelId, checkpointId: r.checkpointId, datasetId: c.datasetId }));
                if (!cell) return <td key={c.datasetId} className="border-b border-slate-100 px-2 py-1 text-slate-400">—</td>;
                const verdict = verdictOf(cell, byKey.get(cellKey({ modelId: r.modelId, checkpointId: null, datasetId: c.datasetId })));
                const res = cell.result;
                const atChance = res && c.chance !== null && res.value - c.chance <= 2 * (res.stderr ?? 0);
                return (
                  <td key={c.datasetId} data-testid="eval-cell" data-value={res?.value ?? ''} className={`border-b border-slate-100 px-2 py-1 ${verdict ? VERDICT_STYLE[verdict] : ''}`}>
                    {res ? (
                      <>
                        <span className="font-medium tabular-nums" data-testid="eval-cell-value">
                          {formatPercent(res.value)}{res.stderr !== null ? ` ± ${formatPercent(res.stderr)}` : ''}
                        </span>
                        <span className="block text-xs" data-testid="eval-cell-verdict">
                          {verdict ? VERDICT_WORDS[verdict] : ''}{atChance ? ' · near random guessing' : ''}
                        </span>
                        <span className="block text-xs text-slate-500">{res.recordCount} {cell.taskType === 'mcq' || cell.taskType === 'yesno' ? 'questions' : 'examples'}</span>
                      </>
                    ) : (
                      <span className="text-slate-400">waiting…</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
