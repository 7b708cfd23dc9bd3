/**
 * A comparison over seeds and variants (issue 15: `--seeds N` spread, and the frontier before healing of several
 * variants side by side): reads finished runs' reports, groups them by variant, and renders one markdown page —
 * the healed TrimLLM checkpoint and every baseline as mean ± sample standard deviation over seeds, the share of
 * the full fine-tune, and every checkpoint before healing by kept count, one column per variant.
 */
import { healEpochOf, type ReportEntry, type ReportEntryKind, type TrimReport } from './types.ts';
import { seedSpread } from './uncertainty.ts';

/** The reports of one variant, one per seed. */
export interface VariantReports {
  variant: string;
  reports: TrimReport[];
}

const pts = (v: number) => (100 * v).toFixed(2);

/** The final TrimLLM entry of a report (the healed checkpoint), or null. */
export function finalTrimEntry(report: TrimReport): ReportEntry | null {
  return report.entries.filter((e) => e.kind === 'trimllm').at(-1) ?? null;
}

/**
 * Kept sub-layers → performance of the TrimLLM checkpoints before healing (the last such checkpoint per count).
 */
export function frontierBeforeHealing(report: TrimReport): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of report.entries) if (e.kind === 'trimllm' && healEpochOf(e) === null) out.set(e.kept.length, e.performance);
  return out;
}

function spreadCell(values: readonly number[]): string {
  if (values.length === 0) return '—';
  const s = seedSpread(values);
  return `${pts(s.mean)} ± ${pts(s.sd)} (n=${s.n})`;
}

const BASELINE_KINDS: readonly ReportEntryKind[] = [
  'base', 'full-finetune', 'sparse-finetune', 'baseline-random', 'baseline-top', 'baseline-bottom', 'baseline-block-influence', 'baseline-angular',
];

/**
 * Renders the comparison. Baselines come from every report that has them; the share of the full fine-tune uses
 * the mean full fine-tune over all reports that measured it.
 * @throws Error when no report has a TrimLLM entry
 */
export function renderSeedComparison(groups: readonly VariantReports[], title: string): string {
  const all = groups.flatMap((g) => g.reports);
  const ofKind = (kind: ReportEntryKind) => all.flatMap((r) => r.entries.filter((e) => e.kind === kind).map((e) => e.performance));
  const full = ofKind('full-finetune');
  const fullMean = full.length ? seedSpread(full).mean : null;
  const lines = [`# ${title}`, '', 'Performance in % (mean ± sample standard deviation over seeds; n = number of seeds).', ''];
  lines.push('## Healed TrimLLM and the baselines', '', '| model | performance | per seed | of full fine-tune |', '| --- | ---: | --- | ---: |');
  const row = (name: string, values: number[]) => {
    const share = fullMean && values.length ? `${((100 * seedSpread(values).mean) / fullMean).toFixed(1)}%` : '—';
    lines.push(`| ${name} | ${spreadCell(values)} | ${values.map(pts).join(', ')} | ${share} |`);
  };
  let trimRows = 0;
  for (const g of groups) {
    const finals = g.reports.map(finalTrimEntry).filter((e): e is ReportEntry => e !== null);
    trimRows += finals.length;
    if (finals.length) row(`TrimLLM ${g.variant} (${finals[0]!.kept.length}/${finals[0]!.kept.length / finals[0]!.keptFraction})`, finals.map((e) => e.performance));
  }
  if (trimRows === 0) throw new Error('no report has a TrimLLM checkpoint');
  for (const kind of BASELINE_KINDS) {
    const values = ofKind(kind);
    if (values.length) row(all.flatMap((r) => r.entries).find((e) => e.kind === kind)!.name, values);
  }
  const counts = [...new Set(all.flatMap((r) => [...frontierBeforeHealing(r).keys()]))].sort((a, b) => b - a);
  lines.push('', '## Every checkpoint before healing, by sub-layers kept', '', `| kept | ${groups.map((g) => g.variant).join(' | ')} |`, `| ---: | ${groups.map(() => '---:').join(' | ')} |`);
  for (const n of counts) {
    const cells = groups.map((g) => spreadCell(g.reports.flatMap((r) => {
      const p = frontierBeforeHealing(r).get(n);
      return p === undefined ? [] : [p];
    })));
    lines.push(`| ${n} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
