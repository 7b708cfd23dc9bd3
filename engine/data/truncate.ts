/**
 * Fitting token sequences into a model's context length. The context is cut from the LEFT, so its end (next to
 * the question and answer) survives, and a leading BOS is kept. Only when the answer alone does not fit is the
 * answer cut, from the right (its beginning is kept). Every cut is counted; nothing is dropped silently.
 *
 * Lengths are in tokens. `maxLength` is the number of tokens the sequence may have in total (context + the longest
 * continuation); if a model is fed all tokens but the last, passing its context length here is conservative by one.
 */

/** Options of the fitting functions. */
export interface TruncateOptions {
  /** The tokenizer's BOS id; a context that starts with it keeps it. Null/undefined: nothing is protected. */
  bosId?: number | null;
}

/** Result of {@link fitContext}. */
export interface FitResult {
  context: number[];
  continuations: number[][];
  /** Tokens removed from the left of the context (after BOS). */
  contextTokensDropped: number;
  /** Tokens removed from the right of continuations, summed over continuations. */
  continuationTokensDropped: number;
  truncated: boolean;
}

function checkMaxLength(maxLength: number): void {
  if (!Number.isInteger(maxLength) || maxLength < 2) {
    throw new RangeError(`maxLength must be an integer ≥ 2 tokens, got ${maxLength}`);
  }
}

/**
 * Fits a context and its continuations (one per choice; or one training target) into `maxLength` tokens so that
 * context + the longest continuation ≤ maxLength. The context loses tokens from the left, after a leading BOS;
 * it keeps at least one token (BOS, else its last token) when it had any, so the first continuation token is still
 * predicted from something. When even that does not fit, each too-long continuation keeps its first tokens.
 * Inputs are not modified.
 * @throws RangeError when maxLength is not an integer ≥ 2
 */
export function fitContext(
  context: readonly number[],
  continuations: readonly (readonly number[])[],
  maxLength: number,
  options: TruncateOptions = {},
): FitResult {
  checkMaxLength(maxLength);
  const longest = continuations.reduce((m, c) => Math.max(m, c.length), 0);
  const keepHead = options.bosId !== undefined && options.bosId !== null && context[0] === options.bosId ? 1 : 0;
  const minContext = Math.min(context.length, Math.max(keepHead, 1));
  const budget = maxLength - longest;
  if (context.length <= budget) {
    return { context: [...context], continuations: continuations.map((c) => [...c]), contextTokensDropped: 0, continuationTokensDropped: 0, truncated: false };
  }
  if (budget >= minContext) {
    const tail = budget - keepHead;
    const kept = [...context.slice(0, keepHead), ...context.slice(context.length - tail)];
    return {
      context: kept,
      continuations: continuations.map((c) => [...c]),
      contextTokensDropped: context.length - kept.length,
      continuationTokensDropped: 0,
      truncated: true,
    };
  }
  const kept = keepHead === 1 ? [context[0]] : context.slice(context.length - minContext);
  const room = maxLength - kept.length;
  let cut = 0;
  const conts = continuations.map((c) => {
    if (c.length <= room) return [...c];
    cut += c.length - room;
    return c.slice(0, room);
  });
  return { context: [...kept], continuations: conts, contextTokensDropped: context.length - kept.length, continuationTokensDropped: cut, truncated: true };
}

/** Result of {@link fitMasked}. */
export interface MaskedFitResult {
  ids: number[];
  loss: boolean[];
  /** Tokens removed from the left (after BOS) and from the right. */
  leftDropped: number;
  rightDropped: number;
  truncated: boolean;
}

/**
 * Fits a token sequence with a per-token loss mask (a multi-turn chat) into `maxLength`: tokens are removed from the
 * left, after a leading BOS, but not past the start of the last loss span (the last answer); if that is still too
 * long, tokens are removed from the right. Inputs are not modified.
 * @throws RangeError when maxLength is not an integer ≥ 2 or ids and loss differ in length
 */
export function fitMasked(ids: readonly number[], loss: readonly boolean[], maxLength: number, options: TruncateOptions = {}): MaskedFitResult {
  checkMaxLength(maxLength);
  if (ids.length !== loss.length) throw new RangeError(`ids (${ids.length}) and loss mask (${loss.length}) differ in length`);
  if (ids.length <= maxLength) return { ids: [...ids], loss: [...loss], leftDropped: 0, rightDropped: 0, truncated: false };
  const keepHead = options.bosId !== undefined && options.bosId !== null && ids[0] === options.bosId ? 1 : 0;
  let lastStart = loss.lastIndexOf(true);
  while (lastStart > 0 && loss[lastStart - 1]) lastStart--;
  // Keep at least one token before the last answer so its first token is predicted from something.
  const leftLimit = Math.max(keepHead, lastStart > keepHead ? lastStart - 1 : keepHead);
  const excess = ids.length - maxLength;
  const left = Math.min(excess, leftLimit - keepHead);
  const from = keepHead + left;
  const head = keepHead ? [ids[0]] : [];
  const headLoss = keepHead ? [loss[0]] : [];
  const right = excess - left;
  const end = ids.length - right;
  return {
    ids: [...head, ...ids.slice(from, end)],
    loss: [...headLoss, ...loss.slice(from, end)],
    leftDropped: left,
    rightDropped: right,
    truncated: true,
  };
}

/** Running count of truncations over a dataset, for the import/eval report. */
export interface TruncationReport {
  /** Examples fitted. */
  examples: number;
  /** Examples that lost any token. */
  truncated: number;
  /** Examples whose answer/continuation itself was cut (the context alone could not make room). */
  answerTruncated: number;
  /** Total tokens removed from contexts (left) and from answers/continuations (right). */
  contextTokensDropped: number;
  answerTokensDropped: number;
}

/** An empty report. */
export function createTruncationReport(): TruncationReport {
  return { examples: 0, truncated: 0, answerTruncated: 0, contextTokensDropped: 0, answerTokensDropped: 0 };
}

/** Adds one fit (from {@link fitContext} or {@link fitMasked}) to a report, in place; returns the report. */
export function recordTruncation(report: TruncationReport, fit: FitResult | MaskedFitResult): TruncationReport {
  const left = 'contextTokensDropped' in fit ? fit.contextTokensDropped : fit.leftDropped;
  const right = 'continuationTokensDropped' in fit ? fit.continuationTokensDropped : fit.rightDropped;
  report.examples++;
  if (fit.truncated) report.truncated++;
  if (right > 0) report.answerTruncated++;
  report.contextTokensDropped += left;
  report.answerTokensDropped += right;
  return report;
}

/** One line for logs and the UI, e.g. `12 of 500 examples truncated (1 answer cut; 3,402 context tokens dropped)`. */
export function describeTruncation(r: TruncationReport): string {
  if (r.truncated === 0) return `0 of ${r.examples} examples truncated`;
  const parts = [`${r.contextTokensDropped.toLocaleString('en-US')} context tokens dropped`];
  if (r.answerTruncated > 0) parts.unshift(`${r.answerTruncated} answer${r.answerTruncated === 1 ? '' : 's'} cut by ${r.answerTokensDropped.toLocaleString('en-US')} tokens`);
  return `${r.truncated} of ${r.examples} examples truncated (${parts.join('; ')})`;
}
