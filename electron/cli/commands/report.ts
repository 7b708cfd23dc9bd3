/** `trimllm report`: a finished run's report again, optionally with other runs' TrimLLM checkpoints beside its own. */
import { basename, join, resolve } from 'node:path';
import { readReport, writeReport } from '../../../engine/report/write.ts';
import type { TrimReport } from '../../../engine/report/types.ts';
import { parse, required, UsageError } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm report DIR --out OUT [--compare DIR2 ...] [--label TEXT] [--compare-label TEXT ...]
  Writes the report of the run whose report folder is DIR (its report.json) into OUT: report.md, report.json and
  the plots. With --compare, the TrimLLM checkpoints of other runs on the same model and test data (e.g. the same
  settings with --variants soft-drop) are added: one more column each in a checkpoint-by-checkpoint table (with
  standard errors, and the difference when there are two runs) and one more line each on the frontier plot.
  --label names this run, --compare-label each compared run in order (default: the folder names).`;

/**
 * This run's report with the compared runs' TrimLLM checkpoints added.
 * @throws Error naming the compared folder when its model, dataset, test size or seed (which draws the test items)
 *   differs from this run's
 */
export function withComparison(report: TrimReport, label: string, others: readonly { dir: string; label: string; report: TrimReport }[]): TrimReport {
  const testSize = (r: TrimReport) => r.entries.find((e) => e.kind === 'trimllm')?.n;
  for (const o of others) {
    for (const key of ['model', 'dataset'] as const) {
      if (o.report[key] !== report[key]) throw new Error(`${join(o.dir, 'report.json')}: ${key} "${o.report[key]}" differs from this run's "${report[key]}"`);
    }
    if (testSize(o.report) !== testSize(report)) {
      throw new Error(`${join(o.dir, 'report.json')}: measured on ${testSize(o.report)} test items, this run on ${testSize(report)}: not the same test split`);
    }
    // The test sample (--max-eval) and a validation split carved from the test split are drawn with the run's seed.
    const seedOf = (r: TrimReport) => (r.config as { seed?: unknown }).seed;
    if (typeof seedOf(o.report) === 'number' && typeof seedOf(report) === 'number' && seedOf(o.report) !== seedOf(report)) {
      throw new Error(`${join(o.dir, 'report.json')}: seed ${String(seedOf(o.report))}, this run's ${String(seedOf(report))}: the test items are drawn with the run's seed, so the two runs were not measured on the same questions; compare runs made with the same --seed`);
    }
  }
  return { ...report, comparison: { label, others: others.map((o) => ({ label: o.label, entries: o.report.entries.filter((e) => e.kind === 'trimllm') })) } };
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    out: { type: 'string' }, compare: { type: 'string', multiple: true }, label: { type: 'string' },
    'compare-label': { type: 'string', multiple: true },
  });
  if (positionals.length !== 1) throw new UsageError('give one report folder (the run\'s --report-dir)');
  const dir = resolve(positionals[0]!);
  const out = resolve(required(values.out, 'out'));
  const compare = (values.compare ?? []).map((d) => resolve(d));
  const labels = values['compare-label'] ?? [];
  if (labels.length > compare.length) throw new UsageError(`${labels.length} --compare-label for ${compare.length} --compare`);
  const report = await readReport(join(dir, 'report.json'));
  const others = await Promise.all(compare.map(async (d, i) => ({ dir: d, label: labels[i] ?? basename(d), report: await readReport(join(d, 'report.json')) })));
  const written = await writeReport(out, others.length ? withComparison(report, values.label ?? basename(dir), others) : report);
  console.log(`report: ${written.find((p) => p.endsWith('report.md'))}`);
  return 0;
}
