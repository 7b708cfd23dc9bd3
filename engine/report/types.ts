/**
 * The report of one trim run (DESIGN.md §1 "Stopping", §2): every evaluated model side by side (base, full and
 * sparse fine-tunes, TrimLLM checkpoints, rule-based baselines), the loss curve, the order in which sub-layers
 * were dropped, and optionally the importance scans behind each drop. Plain JSON data: written as report.json.
 */
import type { RunTiming } from './duration.ts';

/** What an evaluated model is. */
export type ReportEntryKind =
  | 'base' // the model before fine-tuning
  | 'full-finetune' // every sub-layer trained, nothing dropped
  | 'sparse-finetune' // only the top ceil(r·2L) sub-layers trained, nothing dropped (paper §3.4)
  | 'trimllm' // a checkpoint of progressive dropping (or its healed version)
  | 'baseline-random' // rule-based 50% drop: random sub-layers (paper Table 3)
  | 'baseline-top' // rule-based 50% drop: the last layers
  | 'baseline-bottom' // rule-based 50% drop: the first layers
  | 'baseline-block-influence' // one-shot: lowest Block Influence (ShortGPT), then fine-tuned
  | 'baseline-angular'; // one-shot: the contiguous block of smallest angular distance (Gromov et al.), then fine-tuned

/** All kinds, in the order reports list them. */
export const REPORT_ENTRY_KINDS: readonly ReportEntryKind[] = [
  'base', 'full-finetune', 'sparse-finetune', 'trimllm', 'baseline-random', 'baseline-top', 'baseline-bottom',
  'baseline-block-influence', 'baseline-angular',
];

/** One evaluated model. */
export interface ReportEntry {
  /** Display name, e.g. `trimllm step 1200 (7/10)`; labels the frontier point. */
  name: string;
  kind: ReportEntryKind;
  /** Training step of the checkpoint (TrimLLM checkpoints); orders the frontier line. */
  step?: number;
  /** Names of the kept sub-layers, e.g. `['attn0', 'mlp0', 'mlp1']`. */
  kept: string[];
  /** kept.length / 2L, in [0, 1]. */
  keptFraction: number;
  /** Which metric `performance` is: 'acc' | 'acc_norm' | 'next_token_acc' (any string is accepted). */
  metric: string;
  /** Task performance P in [0, 1] (DESIGN.md §1). */
  performance: number;
  /**
   * How many outcomes `performance` averages: records for multiple choice, target tokens for next-token accuracy
   * (report/uncertainty.ts derives the binomial standard error from it). Absent in reports written before it.
   */
  scored?: number;
  /** acc_norm in [0, 1], for multiple-choice tasks. */
  accNorm?: number;
  /** Test records (or text windows) `performance` was measured on: its binomial standard error is √(P(1−P)/n). */
  n?: number;
  /** Expected performance of guessing uniformly (mean of 1/choices over the test questions); multiple choice only. */
  chance?: number;
  /** Parameter bytes of the kept sub-layers plus embeddings/head (float32 on the device). */
  paramBytes: number;
  /** Median decode throughput, tokens per second (batch 1, KV cache). */
  decodeTokensPerSecond: number;
  /** Median prefill throughput, tokens per second. */
  prefillTokensPerSecond?: number;
  /** Slowest and fastest decode run, tokens per second (only on speeds measured side by side at the end). */
  decodeSpread?: { min: number; max: number };
}

/** One model exported as GGUF in one encoding and measured in llama.cpp (TrimLLM + quantization, paper §4.3). */
export interface QuantizedRow {
  /** The engine entry's name (base model, full fine-tune, TrimLLM checkpoint). */
  name: string;
  kind: ReportEntryKind;
  /** 'F32' | 'F16' | 'Q8_0' | 'Q4_0'. */
  dtype: string;
  /** Size of the .gguf file (weights, tokenizer and metadata). */
  fileBytes: number;
  /** The split's metric, as in the engine's entries. */
  metric: string;
  /** Test-split performance in [0, 1], scored through llama.cpp. */
  performance: number;
  /** llama.cpp greedy decode tokens/s (batch 1) at `threads` threads. */
  decodeTokensPerSecond: number;
  threads: number;
}

/** One training-loss sample. */
export interface LossPoint {
  /** Global optimizer step. */
  step: number;
  /** Epoch (0- or 1-based as the run counts them); a change of epoch marks a boundary on the plot. */
  epoch: number;
  /** Training loss, mean cross-entropy in nats per target token. */
  loss: number;
}

/** One sub-layer drop, in the order they happened. */
export interface DropEvent {
  step: number;
  epoch: number;
  /** The dropped sub-layer, e.g. `attn3`. */
  subLayer: string;
}

/** Importance scores of one calibration scan (before a drop). */
export interface ImportanceScan {
  step: number;
  scores: {
    subLayer: string;
    /** Calibration performance P without this sub-layer, in [0, 1]. */
    calibrationPerformance: number;
    /** I_u = 1 / (P + ε) (paper Eq. 3). */
    importance: number;
    /** Frobenius norm of the sub-layer's output on the calibration set (paper Eq. 4). */
    activationNorm: number;
  }[];
}

/** The whole report of a trim run. */
export interface TrimReport {
  title: string;
  /** Model name or path. */
  model: string;
  /** Dataset name. */
  dataset: string;
  /** 'mcq' | 'yesno' | 'instruction' | 'chat' | 'text' (any string is accepted). */
  taskType: string;
  /** ISO 8601 timestamp. */
  createdAt: string;
  /** Run settings (learning rate, schedule, calibration size, …), printed as given. */
  config: Record<string, unknown>;
  entries: ReportEntry[];
  losses: LossPoint[];
  /** Order of dropping. */
  drops: DropEvent[];
  /** Number of decoder blocks L (2L sub-layers). */
  nLayers: number;
  scans?: ImportanceScan[];
  /** Why the drop phase ended (the schedule's stop reason), when known. */
  stopReason?: string | null;
  /** Validation P the accuracy floor was relative to, when the run had a floor. */
  referencePerformance?: number;
  /** GGUF exports measured in llama.cpp (absent when not measured). */
  quantized?: QuantizedRow[];
  /** Other runs' TrimLLM checkpoints shown beside this run's (`trimllm report --compare`); absent: none. */
  comparison?: RunComparison;
  /** The run's predicted wall time beside the time it took (absent for reports written before it was recorded). */
  timing?: RunTiming;
}

/** This run's TrimLLM checkpoints beside other runs' (e.g. hard vs soft dropping), on the same test split. */
export interface RunComparison {
  /** What this run is, e.g. `hard drop`. */
  label: string;
  /** The other runs: a label each (e.g. `soft drop`) and their TrimLLM entries (other kinds are ignored). */
  others: { label: string; entries: ReportEntry[] }[];
}

/** The healing epoch of a TrimLLM checkpoint named `… heal N …` (pipeline.ts labels), or null before healing. */
export function healEpochOf(e: Pick<ReportEntry, 'name'>): number | null {
  const m = /\bheal (\d+)/.exec(e.name);
  return m ? Number(m[1]) : null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const SUB_LAYER = /^(attn|mlp)(\d+)$/;

/**
 * Checks a report's shape and ranges.
 * @throws Error naming the first bad field (e.g. `entries[2].performance must be in [0, 1]`)
 */
export function validateReport(report: TrimReport): void {
  const fail = (msg: string): never => {
    throw new Error(`invalid report: ${msg}`);
  };
  if (!report || typeof report !== 'object') fail('not an object');
  for (const key of ['title', 'model', 'dataset', 'taskType', 'createdAt'] as const) {
    if (typeof report[key] !== 'string') fail(`${key} must be a string`);
  }
  if (!Number.isInteger(report.nLayers) || report.nLayers < 1) fail('nLayers must be a positive integer');
  if (!Array.isArray(report.entries) || !Array.isArray(report.losses) || !Array.isArray(report.drops)) {
    fail('entries, losses and drops must be arrays');
  }
  const subLayer = (name: unknown, where: string) => {
    const m = typeof name === 'string' ? SUB_LAYER.exec(name) : null;
    if (!m || Number(m[2]) >= report.nLayers) fail(`${where} "${String(name)}" is not a sub-layer of a ${report.nLayers}-block model`);
  };
  const entry = (e: ReportEntry, at: string) => {
    if (typeof e.name !== 'string' || e.name === '') fail(`${at}.name must be a non-empty string`);
    if (!REPORT_ENTRY_KINDS.includes(e.kind)) fail(`${at}.kind "${String(e.kind)}" is not one of ${REPORT_ENTRY_KINDS.join(', ')}`);
    if (!Array.isArray(e.kept)) fail(`${at}.kept must be an array`);
    e.kept.forEach((k) => subLayer(k, `${at}.kept`));
    for (const key of ['keptFraction', 'performance', 'accNorm', 'chance'] as const) {
      const v = e[key];
      if ((key === 'keptFraction' || key === 'performance' || v !== undefined) && !(finite(v) && v >= 0 && v <= 1)) fail(`${at}.${key} must be in [0, 1]`);
    }
    for (const key of ['paramBytes', 'decodeTokensPerSecond', 'prefillTokensPerSecond', 'step', 'n'] as const) {
      const v = e[key];
      if ((v !== undefined || key === 'paramBytes' || key === 'decodeTokensPerSecond') && !(finite(v) && v >= 0)) {
        fail(`${at}.${key} must be a finite number ≥ 0`);
      }
    }
    if (typeof e.metric !== 'string') fail(`${at}.metric must be a string`);
  };
  report.entries.forEach((e, i) => entry(e, `entries[${i}]`));
  if (report.timing !== undefined) {
    const t = report.timing;
    const times = [t?.actualSeconds, ...(t?.predicted ? [t.predicted.seconds, t.predicted.uncertainty] : [])];
    if (!times.every((v) => finite(v) && v >= 0)) fail('timing needs finite actualSeconds (and predicted seconds, uncertainty) ≥ 0');
  }
  if (report.comparison !== undefined) {
    const c = report.comparison;
    if (typeof c?.label !== 'string' || !Array.isArray(c.others)) fail('comparison needs a label and an others array');
    c.others.forEach((o, j) => {
      if (typeof o?.label !== 'string' || !Array.isArray(o.entries)) fail(`comparison.others[${j}] needs a label and an entries array`);
      o.entries.forEach((e, i) => entry(e, `comparison.others[${j}].entries[${i}]`));
    });
  }
  report.losses.forEach((p, i) => {
    if (!finite(p.step) || !finite(p.epoch) || !finite(p.loss)) fail(`losses[${i}] needs finite step, epoch and loss`);
  });
  report.drops.forEach((d, i) => {
    if (!finite(d.step) || !finite(d.epoch)) fail(`drops[${i}] needs finite step and epoch`);
    subLayer(d.subLayer, `drops[${i}].subLayer`);
  });
}
