/**
 * This run's TrimLLM checkpoints beside other runs' (issue 15: "the frontier before healing, with and without soft
 * dropping, side by side in one report"): one row per checkpoint position — each kept count before healing, then
 * each healing epoch — one column per run, every cell with its binomial standard error; with exactly two runs, the
 * difference and whether it is within noise (uncertainty.ts). markdown.ts renders the table, plot-frontier.ts
 * draws the same series.
 */
import { healEpochOf, type ReportEntry, type TrimReport } from './types.ts';
import { compareEntries, formatPerformance } from './uncertainty.ts';

/** One run's TrimLLM checkpoints, labelled. */
export interface CheckpointSeries {
  label: string;
  /** TrimLLM entries in training order (step, then larger kept fraction first). */
  entries: ReportEntry[];
}

/** The TrimLLM entries of a list, in training order (the order the frontier line joins them). */
export function trimCheckpoints(entries: readonly ReportEntry[]): ReportEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.kind === 'trimllm')
    .sort((a, b) => (a.e.step ?? 0) - (b.e.step ?? 0) || b.e.keptFraction - a.e.keptFraction || a.i - b.i)
    .map(({ e }) => e);
}

/** This run and the compared runs as labelled checkpoint series (this run first); empty without a comparison. */
export function comparedSeries(report: Pick<TrimReport, 'entries' | 'comparison'>): CheckpointSeries[] {
  const c = report.comparison;
  if (!c) return [];
  return [{ label: c.label, entries: trimCheckpoints(report.entries) }, ...c.others.map((o) => ({ label: o.label, entries: trimCheckpoints(o.entries) }))];
}

/** Row key of a checkpoint: its kept count before healing, its healing epoch after. */
function rowKey(e: ReportEntry, total: number): { key: string; order: number } {
  const heal = healEpochOf(e);
  return heal === null
    ? { key: `${e.kept.length}/${total} kept`, order: total - e.kept.length }
    : { key: `${e.kept.length}/${total} kept, healed ${heal} epoch${heal === 1 ? '' : 's'}`, order: total + heal };
}

/**
 * The sub-layers a series dropped, in order (from the kept sets of consecutive checkpoints, starting from all 2L).
 * @param total 2L, the model's sub-layer count
 */
export function dropOrder(entries: readonly ReportEntry[], total: number): string[] {
  const out: string[] = [];
  let kept = Array.from({ length: total }, (_, i) => `${i % 2 ? 'mlp' : 'attn'}${i >> 1}`);
  for (const e of entries) {
    out.push(...kept.filter((name) => !e.kept.includes(name)));
    kept = e.kept;
  }
  return out;
}

/** The comparison as a table: header, rows of text cells (markdown.ts renders and escapes them), drop orders. */
export interface ComparisonTable {
  header: string[];
  rows: string[][];
  /** One line per run: its label and the sub-layers it dropped, in order. */
  drops: string[];
}

/**
 * The comparison of the runs as a table (null without a comparison).
 * @param total 2L, the model's sub-layer count
 */
export function comparisonTable(report: Pick<TrimReport, 'entries' | 'comparison'>, total: number): ComparisonTable | null {
  const series = comparedSeries(report);
  if (series.length === 0) return null;
  const rows = new Map<string, { order: number; cells: (ReportEntry | undefined)[] }>();
  series.forEach((s, j) => {
    for (const e of s.entries) {
      const { key, order } = rowKey(e, total);
      const row = rows.get(key) ?? { order, cells: series.map(() => undefined) };
      row.cells[j] = e; // the last checkpoint of a position (soft dropping's fade epoch keeps the count)
      rows.set(key, row);
    }
  });
  const pair = series.length === 2;
  return {
    header: ['checkpoint', ...series.map((s) => s.label), ...(pair ? [`${series[1]!.label} − ${series[0]!.label}`] : [])],
    rows: [...rows].sort((a, b) => a[1].order - b[1].order).map(([key, row]) => {
      const cells = row.cells.map((e) => (e ? formatPerformance(e) : '—'));
      if (pair) {
        const [a, b] = row.cells;
        const c = a && b ? compareEntries(b, a) : null;
        cells.push(c ? `${c.difference >= 0 ? '+' : ''}${(100 * c.difference).toFixed(1)} points, ${c.withinNoise ? 'within noise' : 'outside noise'} (2σ = ${(100 * c.threshold).toFixed(1)})` : '—');
      }
      return [key, ...cells];
    }),
    drops: series.map((s) => `${s.label}: dropped ${dropOrder(s.entries, total).join(', ') || 'nothing'}`),
  };
}
