/**
 * report.md: the run's models side by side (kept fraction, performance, parameter bytes, decode tokens/s,
 * speed-up and size relative to the base model), the order of dropping, links to the plots and the settings.
 * DESIGN.md §2: always print full vs trimmed side by side.
 */
import type { ReportEntry, TrimReport } from './types.ts';
import { formatPerformance, noiseStatements } from './uncertainty.ts';
import { comparisonTable } from './compare.ts';
import { describeTiming } from './duration.ts';

/** Why the drop phase ended, in words (keys: TrimState.stopReason). */
const STOP_REASONS: Record<string, string> = {
  kept_fraction: 'the target share of sub-layers kept was reached',
  param_ratio: 'the target parameter-memory ratio was reached',
  accuracy_floor: 'one more drop would have taken validation performance below the accuracy floor',
  max_epochs: 'the maximum number of epochs was reached',
  nothing_left: 'no sub-layer was left to drop',
};

/** Bytes in binary units, e.g. 1536 → "1.50 KiB", 3_500_000 → "3.34 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}

/** Escapes a table cell (pipes, newlines). */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/**
 * The entry speed-ups and sizes are relative to: the first 'base' entry, else the first 'full-finetune' (same
 * architecture), else none.
 */
export function referenceEntry(entries: readonly ReportEntry[]): ReportEntry | null {
  return entries.find((e) => e.kind === 'base') ?? entries.find((e) => e.kind === 'full-finetune') ?? null;
}

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The "TrimLLM + quantization" section: GGUF files measured in llama.cpp (empty when not measured). */
function quantizedSection(report: TrimReport): string[] {
  const rows = report.quantized ?? [];
  if (rows.length === 0) return [];
  return [
    '## TrimLLM + quantization (GGUF in llama.cpp)',
    '',
    table(['model', 'kind', 'GGUF', 'file bytes', 'metric', 'performance', 'decode tokens/s'], ['l', 'l', 'l', 'r', 'l', 'r', 'r'],
      rows.map((r) => [cell(r.name), r.kind, r.dtype, `${formatBytes(r.fileBytes)} (${r.fileBytes.toLocaleString('en-US')})`, cell(r.metric), pct(r.performance), r.decodeTokensPerSecond.toFixed(1)])),
    '',
    `Each model exported with \`trimllm export --format gguf\` and scored on the test split by llama.cpp (node-llama-cpp, ` +
      `${rows[0]!.threads} thread${rows[0]!.threads === 1 ? '' : 's'}) with the same harness conventions; Q8_0/Q4_0 keep the ` +
      'embedding and output in F16. Decode: greedy, batch 1.',
    '',
  ];
}

/** Renders report.md. */
export function renderMarkdown(report: TrimReport): string {
  const total = 2 * report.nLayers;
  const ref = referenceEntry(report.entries);
  const hasNorm = report.entries.some((e) => e.accNorm !== undefined);
  const hasPrefill = report.entries.some((e) => e.prefillTokensPerSecond !== undefined);
  const header = ['model', 'kind', 'kept', 'metric', 'performance'];
  const align: ('l' | 'r')[] = ['l', 'l', 'r', 'l', 'r'];
  if (hasNorm) {
    header.push('acc_norm');
    align.push('r');
  }
  header.push('param bytes', 'size vs ref', 'decode tokens/s', 'speed-up vs ref');
  align.push('r', 'r', 'r', 'r');
  if (hasPrefill) {
    header.push('prefill tokens/s');
    align.push('r');
  }
  const rows = report.entries.map((e) => {
    const row = [
      cell(e.name), e.kind, `${e.kept.length}/${total} (${pct(e.keptFraction)})`, cell(e.metric), formatPerformance(e),
    ];
    if (hasNorm) row.push(e.accNorm === undefined ? '—' : pct(e.accNorm));
    row.push(
      `${formatBytes(e.paramBytes)} (${e.paramBytes.toLocaleString('en-US')})`,
      ref && ref.paramBytes > 0 ? pct(e.paramBytes / ref.paramBytes) : '—',
      e.decodeTokensPerSecond.toFixed(1),
      ref && ref.decodeTokensPerSecond > 0 ? `${(e.decodeTokensPerSecond / ref.decodeTokensPerSecond).toFixed(2)}×` : '—',
    );
    if (hasPrefill) row.push(e.prefillTokensPerSecond === undefined ? '—' : e.prefillTokensPerSecond.toFixed(1));
    return row;
  });
  const lines = [
    `# ${report.title}`,
    '',
    `- Model: ${report.model}`,
    `- Dataset: ${report.dataset} (task type: ${report.taskType})`,
    `- Created: ${report.createdAt}`,
    `- Sub-layers: ${total} (${report.nLayers} blocks × attention + MLP)`,
    ...(report.timing ? [`- Time: ${describeTiming(report.timing)}`] : []),
    '',
    '## Models side by side',
    '',
    table(header, align, rows),
    '',
    ref
      ? `Reference for size and speed-up: **${cell(ref.name)}** (${ref.kind}). Performance is in [0, 1], shown as %; ` +
        'decode tokens/s: batch 1, KV cache, median of timed runs. ± is the binomial standard error over the scored ' +
        'records (multiple choice) or target tokens (next-token accuracy; tokens of one text are correlated, so it is a lower bound).'
      : 'No base or full fine-tune entry: size and speed-up are not computed.',
    '',
    ...quantizedSection(report),
  ];
  const compared = comparisonTable(report, total);
  if (compared) {
    lines.push('## TrimLLM checkpoints beside other runs', '',
      "Every TrimLLM checkpoint, before and while healing, of this run and the compared ones, on this run's test split " +
      '(performance ± binomial standard error; the frontier plot draws each run as a line).', '',
      table(compared.header.map(cell), compared.header.map((_, i) => (i === 0 ? 'l' : 'r')), compared.rows.map((r) => r.map(cell))), '',
      ...compared.drops.map((d) => `- ${cell(d)}`), '');
  }
  const noise = noiseStatements(report.entries);
  if (noise.length > 0) lines.push('## Within noise?', '', ...noise.map((n) => `- ${cell(n)}`), '');
  lines.push('## Order of dropping', '');
  if (report.drops.length === 0) lines.push('No sub-layer was dropped.');
  else {
    lines.push(table(['#', 'step', 'epoch', 'sub-layer'], ['r', 'r', 'r', 'l'], report.drops.map((d, i) => [String(i + 1), String(d.step), String(d.epoch), cell(d.subLayer)])));
    const dropped = new Set(report.drops.map((d) => d.subLayer));
    const kept: string[] = [];
    for (let l = 0; l < report.nLayers; l++) for (const k of ['attn', 'mlp']) if (!dropped.has(`${k}${l}`)) kept.push(`${k}${l}`);
    lines.push('', `Kept after the last drop (${kept.length}/${total}): ${kept.join(', ') || 'none'}`);
  }
  if (report.stopReason) {
    const floorRef = report.referencePerformance !== undefined ? ` (floor reference: validation ${report.referencePerformance.toFixed(4)})` : '';
    lines.push('', `Dropping stopped: ${STOP_REASONS[report.stopReason] ?? report.stopReason} (stop_reason ${report.stopReason})${floorRef}.`);
  }
  lines.push('', '## Plots', '', '![Training loss](loss.svg)', '', '![Layer map](layer-map.svg)', '', '![Frontier](frontier.svg)', '');
  const config = Object.entries(report.config);
  if (config.length > 0) {
    lines.push('## Settings', '', table(['setting', 'value'], ['l', 'l'], config.map(([k, v]) => [cell(k), cell(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v))])), '');
  }
  return lines.join('\n');
}
