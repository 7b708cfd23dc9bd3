/**
 * A checkpoint's `metrics` (opaque in the contract): `{state, entry}`, where `entry` is the report entry measured
 * at that checkpoint (`{name, kind, kept, keptFraction, metric, performance, accNorm?, paramBytes,
 * decodeTokensPerSecond}`) or null. Parsed leniently: a malformed entry is treated as missing.
 */
import { z } from 'zod';

const EntrySchema = z.object({
  name: z.string(),
  kind: z.string(),
  kept: z.array(z.string()),
  keptFraction: z.number(),
  metric: z.string(),
  performance: z.number(),
  accNorm: z.number().optional(),
  paramBytes: z.number(),
  decodeTokensPerSecond: z.number(),
  prefillTokensPerSecond: z.number().optional(),
  step: z.number().optional(),
  n: z.number().optional(),
  chance: z.number().optional(),
  decodeSpread: z.object({ min: z.number(), max: z.number() }).optional(),
});

/** One measured model (a point of the frontier). */
export type FrontierEntry = z.infer<typeof EntrySchema>;

/** The entry of a checkpoint's metrics, or null. */
export function entryOf(metrics: unknown): FrontierEntry | null {
  if (typeof metrics !== 'object' || metrics === null) return null;
  const parsed = EntrySchema.safeParse((metrics as { entry?: unknown }).entry);
  return parsed.success ? parsed.data : null;
}

/** Validation performance recorded with a checkpoint (`metrics.validation`), or null. */
export function validationOf(metrics: unknown): number | null {
  if (typeof metrics !== 'object' || metrics === null) return null;
  const v = (metrics as { validation?: unknown }).validation;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The schedule phase recorded with a checkpoint (`drop`, `heal`, `done`), or null. */
export function phaseOf(metrics: unknown): string | null {
  if (typeof metrics !== 'object' || metrics === null) return null;
  const p = (metrics as { phase?: unknown; state?: { phase?: unknown } }).phase ?? (metrics as { state?: { phase?: unknown } }).state?.phase;
  return typeof p === 'string' ? p : null;
}

/** Why dropping stopped, from the last checkpoint that says (null while it runs). */
export function stopReasonOf(checkpoints: readonly { step: number; metrics: unknown }[]): string | null {
  const labels: Record<string, string> = {
    kept_fraction: 'the target kept fraction was reached',
    param_ratio: 'the target parameter-memory ratio was reached',
    accuracy_floor: 'validation performance reached the accuracy floor',
    max_epochs: 'the maximum number of epochs was reached',
    nothing_left: 'no sub-layer was left to drop',
  };
  for (const c of [...checkpoints].sort((a, b) => b.step - a.step)) {
    const m = c.metrics as { stopReason?: unknown; state?: { stopReason?: unknown } } | null;
    const r = m?.stopReason ?? m?.state?.stopReason;
    if (typeof r === 'string') return labels[r] ?? r;
  }
  return null;
}

/** A frontier point: a measured checkpoint, with the phase it was taken in. */
export type FrontierPoint = FrontierEntry & { phase: string | null };

/** The measured checkpoints of a run as frontier points. */
export function frontierPoints(checkpoints: readonly { metrics: unknown }[]): FrontierPoint[] {
  return checkpoints.flatMap((c) => {
    const e = entryOf(c.metrics);
    return e ? [{ ...e, phase: phaseOf(c.metrics) }] : [];
  });
}

/** Human name of an entry kind. */
export function kindLabel(kind: string): string {
  const labels: Record<string, string> = {
    base: 'Base model',
    'full-finetune': 'Full fine-tune',
    'sparse-finetune': 'Sparse fine-tune',
    trimllm: 'TrimLLM',
    'baseline-random': 'Random 50%',
    'baseline-top': 'Top 50% (last layers)',
    'baseline-bottom': 'Bottom 50% (first layers)',
    'baseline-block-influence': 'Block Influence 50%',
    'baseline-angular': 'Angular distance 50%',
  };
  return labels[kind] ?? kind;
}

/**
 * The reference for speed-ups: the base model's entry if present, else a full-depth entry (keptFraction 1).
 */
export function referenceEntry(entries: readonly FrontierEntry[]): FrontierEntry | null {
  return entries.find((e) => e.kind === 'base') ?? entries.find((e) => e.keptFraction >= 1) ?? null;
}

/**
 * The points of a run's frontier: its comparison (every model re-measured side by side at the end: TrimLLM
 * checkpoints, base model, baselines) once the run has completed, else the entries measured at each checkpoint.
 */
export function runPoints(
  checkpoints: readonly { id: number; metrics: unknown }[],
  comparison: readonly { checkpointId: number | null; entry: unknown }[],
): FrontierPoint[] {
  if (comparison.length === 0) return frontierPoints(checkpoints);
  const phaseById = new Map(checkpoints.map((c) => [c.id, phaseOf(c.metrics)]));
  return comparison.flatMap((c) => {
    const e = entryOf({ entry: c.entry });
    return e ? [{ ...e, phase: c.checkpointId !== null ? (phaseById.get(c.checkpointId) ?? null) : null }] : [];
  });
}

/** Speed-up of `entry` over `reference` in decode tokens/s (e.g. 1.8 = 80% faster), or null without a reference. */
export function speedUp(entry: FrontierEntry, reference: FrontierEntry | null): number | null {
  return reference && reference.decodeTokensPerSecond > 0 ? entry.decodeTokensPerSecond / reference.decodeTokensPerSecond : null;
}

/** Human names of the performance metrics (the one mapping every page and chart uses). */
const METRIC_LABELS: Record<string, string> = {
  next_token_acc: 'next-word accuracy',
  acc: 'correct answers',
  acc_norm: 'correct answers (length-fair)',
  perplexity: 'perplexity',
  ppl: 'perplexity',
};

/** What each metric means, for a hover explanation (title attribute). */
const METRIC_HELP: Record<string, string> = {
  next_token_acc: 'How often the model guesses the next word of the held-out text right.',
  acc: 'Share of the test questions answered right: the answer the model finds most likely is the correct one.',
  acc_norm: 'Like “correct answers”, but each answer’s likelihood is divided by its length, so long answers are not penalised.',
  perplexity: 'How surprised the model is by held-out text: lower is better.',
};

/** One-sentence explanation of a metric id for a hover hint. */
export function metricHelp(metric: string): string {
  return METRIC_HELP[metric === 'ppl' ? 'perplexity' : metric] ?? '';
}

/**
 * Binomial standard error of a performance measured on `n` records: √(P(1−P)/n); null without n.
 * (For next-word accuracy the records are text windows: a rough figure, as tokens in a window are not independent.)
 */
export function standardError(e: Pick<FrontierEntry, 'performance' | 'n'>): number | null {
  return e.n && e.n > 0 ? Math.sqrt((e.performance * (1 - e.performance)) / e.n) : null;
}

/** The rule of recommendedEntry, as the page states it. */
export const RECOMMENDATION_RULE =
  'the smallest checkpoint whose score is within the noise of the best fine-tuned model (no more than 2 standard errors of the difference below it)';

/**
 * The checkpoint to pick (RECOMMENDATION_RULE): among TrimLLM entries, the one with the fewest parameter bytes
 * whose performance ≥ best − 2·√(SE_best² + SE_e²), where best is the best fine-tuned entry (full, sparse or
 * TrimLLM). Without standard errors the difference must be 0. Null when there is no TrimLLM entry.
 */
export function recommendedEntry<T extends FrontierEntry>(entries: readonly T[]): T | null {
  const tuned = entries.filter((e) => e.kind === 'trimllm' || e.kind === 'full-finetune' || e.kind === 'sparse-finetune');
  const trim = entries.filter((e) => e.kind === 'trimllm');
  if (trim.length === 0) return null;
  const best = tuned.reduce((a, b) => (b.performance > a.performance ? b : a));
  const seBest = standardError(best) ?? 0;
  const ok = trim.filter((e) => e.performance >= best.performance - 2 * Math.hypot(seBest, standardError(e) ?? 0));
  return ok.reduce((a, b) => (b.paramBytes < a.paramBytes || (b.paramBytes === a.paramBytes && b.performance > a.performance) ? b : a));
}

/** Whether `e` is within 2 standard errors of its chance level (guessing); false when chance is unknown. */
export function atChance(e: Pick<FrontierEntry, 'performance' | 'n' | 'chance'>): boolean {
  if (e.chance === undefined) return false;
  return e.performance <= e.chance + 2 * (standardError(e) ?? 0);
}

/** Human name of a metric id (`next_token_acc` → "next-word accuracy"); an unknown id with `_` as spaces. */
export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric.replace(/_/g, ' ');
}

/** Short label of a frontier point: a TrimLLM checkpoint's label (`drop 1: -attn2`, `heal 2`), else the kind's name. */
export function pointLabel(e: Pick<FrontierEntry, 'name' | 'kind'>): string {
  if (e.kind !== 'trimllm') return kindLabel(e.kind);
  return e.name.replace(/^trimllm\s+/i, '').replace(/\s*\(\d+\/\d+\)\s*$/, '');
}

/**
 * x positions of points, spread so that points at the same kept fraction do not sit on top of each other: the
 * k-th (0-based) point of a kept fraction moves `step × k` to the right (healing checkpoints share their kept
 * fraction). The true kept fraction stays in the tooltip.
 */
export function dodgeX(keptFractions: readonly number[], step: number): number[] {
  const seen = new Map<string, number>();
  return keptFractions.map((x) => {
    const key = x.toFixed(6);
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    return x + k * step;
  });
}

/** A checkpoint's label as shown: the final 'done' marker is "final model" (as server.models names it). */
export function checkpointLabel(label: string): string {
  return label === 'done' ? 'final model' : label;
}
