/**
 * Multiple-choice metrics from per-choice loglikelihoods, lm-evaluation-harness conventions (DESIGN.md §2).
 * Pure functions: no model, no tensors, so they are testable on hand-computed numbers.
 *
 *   acc      = mean over items of [argmax_i ll_i == gold]
 *   acc_norm = mean over items of [argmax_i (ll_i / len(choice_i)) == gold]
 *
 * argmax takes the first index on ties (numpy's `np.argmax`, which the harness uses). `len(choice_i)` is the
 * harness's Python `len()` of the choice text: Unicode code points, without the target delimiter (the harness
 * scores `" " + choice` but divides by `len(choice)`; see choiceLength).
 *
 * Standard error: the harness's `mean_stderr(arr) = sample_stddev(arr) / sqrt(n)` with
 * `sample_stddev = sqrt(Σ(x − mean)² / (n − 1))` (lm_eval/api/metrics.py). For 0/1 scores with mean p,
 * Σ(x − p)² = n·p(1 − p), so stderr = sqrt(p(1 − p) / (n − 1)) = pstdev·sqrt(n/(n − 1))/sqrt(n).
 */

/** Per-item input of the aggregation: one loglikelihood and one normalisation length per choice. */
export interface ScoredItem {
  /** Σ log p(continuation tokens | context) per choice (natural log). */
  loglikelihoods: readonly number[];
  /** Length of each choice in characters (code points) for acc_norm; must be positive. */
  lengths: readonly number[];
  /** Index of the correct choice. */
  gold: number;
}

/** Aggregated multiple-choice metrics; accuracies are fractions in [0, 1]. */
export interface MultipleChoiceMetrics {
  /** Accuracy with raw loglikelihoods. */
  acc: number;
  /** Standard error of acc (harness `mean_stderr`); NaN when n < 2 (the harness reports "N/A"). */
  accStderr: number;
  /** Accuracy with loglikelihood / character length. */
  accNorm: number;
  /** Standard error of accNorm; NaN when n < 2. */
  accNormStderr: number;
  /** Number of items. */
  n: number;
}

/** Index of the largest value, first on ties (numpy argmax). NaN never wins. @throws Error on an empty array */
export function argmaxFirst(values: readonly number[]): number {
  if (values.length === 0) throw new Error('argmax of an empty list');
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! > values[best]! || (Number.isNaN(values[best]!) && !Number.isNaN(values[i]!))) best = i;
  }
  return best;
}

/**
 * Harness `mean_stderr`: sample standard deviation (n − 1) divided by sqrt(n).
 * @returns NaN when there are fewer than 2 values
 */
export function meanStderr(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, x) => a + (x - mean) ** 2, 0);
  return Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
}

/**
 * The length the harness divides by for acc_norm: `len(choice)` in code points, where choice is the
 * continuation without a leading target delimiter (default " ", the harness's `target_delimiter`).
 * Falls back to the whole continuation when stripping the delimiter would leave nothing.
 */
export function choiceLength(continuation: string, targetDelimiter = ' '): number {
  const stripped =
    targetDelimiter && continuation.startsWith(targetDelimiter) && continuation.length > targetDelimiter.length
      ? continuation.slice(targetDelimiter.length)
      : continuation;
  return [...stripped].length;
}

/**
 * Per-item correctness under acc and acc_norm.
 * @throws Error when the arrays' lengths differ, gold is out of range, or a length is not positive
 */
export function scoreItem(item: ScoredItem): { correct: boolean; correctNorm: boolean } {
  const { loglikelihoods: ll, lengths, gold } = item;
  if (ll.length === 0) throw new Error('an item needs at least one choice');
  if (lengths.length !== ll.length) {
    throw new Error(`${ll.length} loglikelihoods but ${lengths.length} choice lengths`);
  }
  if (!Number.isInteger(gold) || gold < 0 || gold >= ll.length) {
    throw new Error(`gold index ${gold} is out of range for ${ll.length} choices`);
  }
  if (lengths.some((n) => !(n > 0))) throw new Error('choice lengths must be positive (an empty choice cannot be scored)');
  return {
    correct: argmaxFirst(ll) === gold,
    correctNorm: argmaxFirst(ll.map((v, i) => v / lengths[i]!)) === gold,
  };
}

/**
 * acc, acc_norm and their standard errors over items (see the file docstring for the formulas).
 * @throws Error when there are no items or an item is malformed (see scoreItem)
 */
export function aggregateMultipleChoice(items: readonly ScoredItem[]): MultipleChoiceMetrics {
  if (items.length === 0) throw new Error('no items to aggregate');
  const acc: number[] = [];
  const accNorm: number[] = [];
  for (const item of items) {
    const s = scoreItem(item);
    acc.push(s.correct ? 1 : 0);
    accNorm.push(s.correctNorm ? 1 : 0);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    acc: mean(acc),
    accStderr: meanStderr(acc),
    accNorm: mean(accNorm),
    accNormStderr: meanStderr(accNorm),
    n: items.length,
  };
}
