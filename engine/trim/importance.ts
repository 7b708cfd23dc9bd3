/**
 * Importance of sub-layers (TrimLLM paper §3.3; DESIGN.md §1).
 *
 * - Calibration (sensitivity) importance, Eq. 3: `I_u = 1 / (P(model without u) + ε)`, P the task performance
 *   on the calibration set. Low importance = dropping u hurts least = drop first. `1/ε` is the maximum (P = 0).
 * - Activation-norm importance, Eq. 4: the Frobenius norm of u's output (the tensor added to the residual
 *   stream) over the calibration tokens; the highest norm has the lowest importance.
 * - "both" (§4.1, the default): calibration first; the activation norm breaks ties. As in the authors' public
 *   implementation, the best attention candidate and the best MLP candidate are chosen separately (highest P
 *   without it; among equal P, the largest norm), then whichever leaves the higher P is dropped, the MLP on an
 *   exact tie.
 */
import { allSubLayers, maskIndex, subLayerName, type KeepMask, type SubLayerName } from '../model/sublayers.ts';
import type { LlamaModel } from '../model/llama.ts';
import { yieldToEventLoop } from '../event-loop.ts';

/** ε of Eq. 3. */
export const IMPORTANCE_EPSILON = 1e-3;

/** How sub-layers are ranked. */
export type ImportanceMethod = 'calibration' | 'activation' | 'both';

/** Scores of one kept sub-layer from one calibration scan. */
export interface SubLayerScore {
  subLayer: SubLayerName;
  /** Index in the keep mask (2l for attention, 2l+1 for the MLP). */
  index: number;
  /** P on the calibration set with this sub-layer dropped, in [0, 1]. */
  calibrationPerformance: number;
  /** I_u = 1 / (P + ε) (Eq. 3). */
  importance: number;
  /** Frobenius norm of the sub-layer's output over the calibration tokens (Eq. 4). */
  activationNorm: number;
}

/** Computes P on the calibration set for a keep mask. */
export type CalibrationEvaluator = (keep: KeepMask) => Promise<number>;

/**
 * The score of keep-mask entry `index` (2l: attention, 2l+1: MLP of block l) from its calibration performance
 * `p` with it dropped (Eq. 3) and its activation norm (Eq. 4; 0 when absent).
 */
export function candidateScore(index: number, p: number, activationNorms: ReadonlyMap<SubLayerName, number>): SubLayerScore {
  const name = subLayerName({ layer: index >> 1, kind: index % 2 === 0 ? 'attn' : 'mlp' });
  return { subLayer: name, index, calibrationPerformance: p, importance: 1 / (p + IMPORTANCE_EPSILON), activationNorm: activationNorms.get(name) ?? 0 };
}

/**
 * Scores every kept sub-layer: one calibration evaluation per sub-layer with it dropped (2L' evaluations).
 * @param activationNorms norm of each kept sub-layer's output with the full `keep` (from one forward pass)
 * @param onProgress called after each sub-layer with (done, total)
 */
export async function scoreSubLayers(
  keep: KeepMask,
  evaluate: CalibrationEvaluator,
  activationNorms: ReadonlyMap<SubLayerName, number>,
  onProgress?: (done: number, total: number) => void,
): Promise<SubLayerScore[]> {
  const kept = allSubLayers(keep.length / 2).filter((s) => keep[maskIndex(s)]);
  const scores: SubLayerScore[] = [];
  for (const s of kept) {
    const index = maskIndex(s);
    const without = keep.map((k, i) => k && i !== index);
    const p = await evaluate(without);
    await yieldToEventLoop(); // a Ctrl-C or cancel is seen within one candidate, not after the whole scan
    scores.push(candidateScore(index, p, activationNorms));
    onProgress?.(scores.length, kept.length);
  }
  return scores;
}

/** Options of scanSubLayers. */
export interface ScanOptions {
  /**
   * Reuse the residual stream before each candidate (engine/model/prefix-reuse.ts) instead of a full forward
   * pass per candidate. Default true; false runs the naive passes (same scores, bit for bit; for comparison).
   */
  reusePrefix?: boolean;
  /** Called after each sub-layer with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * scoreSubLayers for evaluators that run `model`: the candidates are evaluated in forward order inside a
 * prefix-reuse session of the model, so each candidate's evaluation runs only the sub-layers after it (about
 * half the sub-layer evaluations of the naive scan, identical scores).
 */
export async function scanSubLayers(
  model: LlamaModel,
  keep: KeepMask,
  evaluate: CalibrationEvaluator,
  activationNorms: ReadonlyMap<SubLayerName, number>,
  options: ScanOptions = {},
): Promise<SubLayerScore[]> {
  const session = options.reusePrefix === false ? null : model.startPrefixReuse(keep);
  try {
    return await scoreSubLayers(keep, evaluate, activationNorms, options.onProgress);
  } finally {
    session?.dispose();
  }
}

function bestBy(scores: readonly SubLayerScore[], better: (a: SubLayerScore, b: SubLayerScore) => boolean) {
  return scores.reduce<SubLayerScore | null>((best, s) => (best === null || better(s, best) ? s : best), null);
}

/** Calibration-first comparison with the activation norm as tie-breaker. */
const higherPThenNorm = (a: SubLayerScore, b: SubLayerScore) =>
  a.calibrationPerformance > b.calibrationPerformance ||
  (a.calibrationPerformance === b.calibrationPerformance && a.activationNorm > b.activationNorm);

/**
 * The sub-layer to drop next (the least important one).
 * @throws Error when there is nothing left to drop
 */
export function chooseDrop(scores: readonly SubLayerScore[], method: ImportanceMethod): SubLayerScore {
  if (scores.length === 0) throw new Error('no sub-layer left to drop');
  if (method === 'activation') return bestBy(scores, (a, b) => a.activationNorm > b.activationNorm)!;
  if (method === 'calibration') return bestBy(scores, (a, b) => a.calibrationPerformance > b.calibrationPerformance)!;
  const attn = bestBy(scores.filter((s) => s.subLayer.startsWith('attn')), higherPThenNorm);
  const mlp = bestBy(scores.filter((s) => s.subLayer.startsWith('mlp')), higherPThenNorm);
  if (!attn) return mlp!;
  if (!mlp) return attn;
  return attn.calibrationPerformance > mlp.calibrationPerformance ? attn : mlp;
}

/**
 * Orders sub-layers from most to least important (the reverse of the drop order), for the sparse-update
 * choice (paper §3.4): repeatedly picks the next drop among the remaining scores.
 */
export function rankByImportance(scores: readonly SubLayerScore[], method: ImportanceMethod): SubLayerScore[] {
  const remaining = [...scores];
  const dropOrder: SubLayerScore[] = [];
  while (remaining.length > 0) {
    const next = chooseDrop(remaining, method);
    dropOrder.push(next);
    remaining.splice(remaining.indexOf(next), 1);
  }
  return dropOrder.reverse();
}

/**
 * The sparse-update mask (paper §3.4): the `ceil(r · 2L)` most important sub-layers of the initial scan are
 * trainable, the rest frozen.
 * @param ratio sparse update ratio r in (0, 1]
 * @throws RangeError when r is outside (0, 1]
 */
export function sparseTrainableMask(scores: readonly SubLayerScore[], nSubLayers: number, ratio: number, method: ImportanceMethod): boolean[] {
  if (!(ratio > 0 && ratio <= 1)) throw new RangeError(`sparse update ratio must be in (0, 1], got ${ratio}`);
  const count = Math.ceil(ratio * nSubLayers);
  const mask = new Array<boolean>(nSubLayers).fill(false);
  for (const s of rankByImportance(scores, method).slice(0, count)) mask[s.index] = true;
  return mask;
}
