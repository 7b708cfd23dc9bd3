/**
 * `trimllm bench` without a model: every bench shape (shapes.ts) measured in a fresh child process
 * (child.ts), one after the other, so each shape's peak RSS is its own and no shape's heap slows the next. The
 * parent collects the children's JSON rows (one per stdout line) and formats the table: measured speed-up
 * next to the ideal one (FLOPs per token, full / trimmed) and their ratio, the matvec ceiling, training
 * tokens/s, scan seconds and memory.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import type { BenchRow, BenchSettings } from './measure.ts';
import { findShapes, shapeByName } from './shapes.ts';

/** Options of runBenchSuite. */
export interface SuiteOptions {
  /** Shape names (shapes.ts), measured in this order. */
  shapes: readonly string[];
  settings: BenchSettings;
  /** Backend for the children (default: theirs to choose: TRIMLLM_BACKEND or the fastest available). */
  backend?: string;
  /** Each progress line of the children (stderr), prefixed by nothing. */
  onProgress?: (line: string) => void;
}

/** Result of runBenchSuite. */
export interface SuiteResult {
  rows: BenchRow[];
  /** Shapes whose child failed, with the last lines it printed on stderr. */
  failures: { shape: string; message: string }[];
  /** Wall seconds of the whole suite. */
  seconds: number;
  /**
   * 1-minute load average (os.loadavg) before and after, and the CPUs: other processes on the machine take
   * CPU time from the benchmark and widen the spreads (wall-clock measurements).
   */
  load: { start: number; end: number; cpus: number };
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Runs one shape's child; resolves with its rows, rejects with its stderr tail when it fails. */
function runChild(shape: string, options: SuiteOptions): Promise<BenchRow[]> {
  const args = ['--import', import.meta.resolve('tsx'), CHILD, '--shape', shape, '--settings', JSON.stringify(options.settings)];
  if (options.backend) args.push('--backend', options.backend);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const rows: BenchRow[] = [];
    const errTail: string[] = [];
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl).trim();
        out = out.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const row = JSON.parse(line) as BenchRow;
          if (typeof row.shape === 'string') rows.push(row);
        } catch {
          // not a row (a library printing to stdout): ignore
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      let nl;
      while ((nl = err.indexOf('\n')) >= 0) {
        const line = err.slice(0, nl);
        err = err.slice(nl + 1);
        errTail.push(line);
        if (errTail.length > 20) errTail.shift();
        options.onProgress?.(line);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && rows.length > 0) resolve(rows);
      else reject(new Error(`exit code ${code}: ${errTail.slice(-5).join(' | ') || 'no output'}`));
    });
  });
}

/**
 * Measures each shape in its own child process.
 * @throws Error on an unknown shape name (before anything runs); a failing child is recorded in `failures`
 */
export async function runBenchSuite(options: SuiteOptions): Promise<SuiteResult> {
  const shapes = findShapes(options.shapes);
  const start = performance.now();
  const loadStart = loadavg()[0]!;
  const rows: BenchRow[] = [];
  const failures: SuiteResult['failures'] = [];
  for (const s of shapes) {
    try {
      rows.push(...(await runChild(s.name, options)));
    } catch (e) {
      failures.push({ shape: s.name, message: (e as Error).message });
    }
  }
  return {
    rows, failures, seconds: (performance.now() - start) / 1000,
    load: { start: loadStart, end: loadavg()[0]!, cpus: availableParallelism() },
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const withSpread = (v: number, s: { min: number; max: number }) => `${rate(v)} (${rate(s.min)}–${rate(s.max)})`;

function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The bench tables as text: speed (prefill, decode, ceiling, ideal vs measured speed-up; the CPU-time
 * speed-up of whole runs vs their ideal) and training, scan and memory. Rates are medians with the (min–max)
 * spread over the runs.
 */
export function formatBenchTables(rows: readonly BenchRow[]): string {
  const kept = (r: BenchRow) => `${r.keptSubLayers}/${r.totalSubLayers}`;
  const speed = table(
    [
      'shape', 'kept', 'prefill tok/s (min–max)', 'decode tok/s (min–max)', 'decode ms/tok', 'matvec-only ms/tok', 'decode/matvec',
      'ceiling tok/s', 'ideal ×', 'measured ×', 'measured/ideal', 'CPU run ×', 'ideal run ×', 'CPU/ideal',
    ],
    rows.map((r) => [
      r.shape, kept(r), withSpread(r.prefillTokensPerSecond, r.prefillSpread), withSpread(r.decodeTokensPerSecond, r.decodeSpread),
      r.decodeMsPerToken.toFixed(2), r.matvecOnlyMsPerToken.toFixed(2), r.decodeOverMatvec.toFixed(2),
      rate(r.matvecCeilingTokensPerSecond), r.idealSpeedup.toFixed(2), r.measuredSpeedup.toFixed(2), r.speedupEfficiency.toFixed(2),
      r.cpuRunSpeedup.toFixed(2), r.idealRunSpeedup.toFixed(2), r.cpuRunEfficiency.toFixed(2),
    ]),
  );
  const other = table(
    [
      'shape', 'kept', 'train tok/s (min–max)', 'train ×', 'CPU ×', 'step tokens', 'scan s', 'naive scan s', 'naive/reuse ×', 'naive/reuse CPU ×',
      'sub-layer runs (reuse/naive)', 'candidates', 'param bytes', 'peak RSS',
    ],
    rows.map((r) => [
      r.shape, kept(r), withSpread(r.trainTokensPerSecond, r.trainSpread), r.measuredTrainSpeedup.toFixed(2), r.cpuTrainSpeedup.toFixed(2),
      `${r.trainBatch}×${r.trainSeq}`, r.scanSeconds.toFixed(2), r.naiveScanSeconds.toFixed(2), r.scanReuseSpeedup.toFixed(2), r.scanReuseCpuSpeedup.toFixed(2),
      `${r.scanSubLayerEvaluations}/${r.naiveScanSubLayerEvaluations}`, String(r.scanEvaluations), mb(r.paramBytes), mb(r.peakRssBytes),
    ]),
  );
  return `${speed}\n\n${other}`;
}

/**
 * Notes printed under the tables: settings, backend, machine load, bandwidth, and any shortened training
 * sequence.
 */
export function formatBenchNotes(rows: readonly BenchRow[], settings: BenchSettings, load?: SuiteResult['load']): string {
  const lines: string[] = [];
  const first = rows[0];
  if (first) {
    lines.push(
      `backend ${first.backend}; prefill ${first.promptTokens} tokens, decode ${first.newTokens} tokens (batch 1, KV cache); ` +
        `median of ${first.runs} runs after ${first.warmup} warm-up, runs interleaved across masks`,
    );
  }
  if (load) {
    lines.push(
      `load average (1 min) ${load.start.toFixed(1)} at start, ${load.end.toFixed(1)} at end (the bench itself adds ~1), on ${load.cpus} CPUs` +
        (Math.max(load.start, load.end) > load.cpus / 2 ? ': other processes were running; expect wide spreads' : ''),
    );
  }
  lines.push(
    'ideal × = FLOPs per token full / trimmed (params.ts flopsPerToken, at prompt + new/2 positions); measured × = median decode ' +
      'tok/s trimmed / full (wall clock); ceiling = measured memory bandwidth / bytes read per decoded token (engine/bench/ceiling.ts); ' +
      'CPU run × = median CPU seconds of a whole run (prefill + decode) full / trimmed, against the FLOPs of a whole run (ideal run ×): ' +
      'the cross-check that other processes on the machine do not move; matvec-only = the decode step\'s matrix-vector products ' +
      'alone, same backend op and tensors, timed in the same rounds (engine/bench/matvec.ts); decode/matvec = the overhead factor ' +
      'of everything else; scan s = one calibration scan with prefix reuse, naive = a full forward pass per candidate (wall and CPU ratio)',
  );
  const shapes = [...new Set(rows.map((r) => r.shape))];
  for (const s of shapes) {
    const r = rows.find((x) => x.shape === s)!;
    const notes = [`memory bandwidth ${(r.memoryBandwidthBytesPerSecond / 1e9).toFixed(1)} GB/s`];
    notes.push(`training step ${r.trainBatch} × ${r.trainSeq} tokens`);
    notes.push(`scan on ${r.calibrationExamples} × ${r.calibrationSeq} random tokens, one run`);
    const reduced = r.trainSeq < settings.trainSeq || r.calibrationExamples < settings.calibrationExamples || r.calibrationSeq < settings.calibrationSeq;
    const reason = shapeByName(s)?.limits?.reason;
    if (reduced && reason) notes.push(`reduced from ${settings.trainBatch} × ${settings.trainSeq} and ${settings.calibrationExamples} × ${settings.calibrationSeq}: ${reason}`);
    lines.push(`${s}: ${notes.join('; ')}`);
  }
  lines.push('keep masks: drop alternating mlp/attn from the top, one per block first (engine/bench/keep-masks.ts); peak RSS is per shape');
  return lines.join('\n');
}
