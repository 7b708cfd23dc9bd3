/**
 * Look-ahead scan (a TrimLLM variant; engine/trim/EXPERIMENTS.md). The paper's calibration score (Eq. 3) measures
 * the damage a drop does at once; what the user keeps is the model after more fine-tuning. So the `m` best
 * candidates of the ordinary scan (in chooseDrop's order) are each tried: drop it, train a short burst of steps,
 * score P on the calibration sample, then put the weights and the optimizer state back exactly. The candidate with
 * the highest recovered P is dropped (the scan's order breaks ties).
 */
import { chooseDrop, type ImportanceMethod, type SubLayerScore } from './importance.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** Trains a burst without one candidate and returns the calibration P; must leave the model as it found it. */
export type RecoveryProbe = (keepWithout: KeepMask, candidate: SubLayerScore) => Promise<number>;

/**
 * The `m` candidates the ordinary rule would drop first, in that order.
 * @throws RangeError when m < 1
 */
export function lookaheadCandidates(scores: readonly SubLayerScore[], method: ImportanceMethod, m: number): SubLayerScore[] {
  if (!(Number.isInteger(m) && m >= 1)) throw new RangeError(`look-ahead needs at least one candidate, got ${m}`);
  const remaining = [...scores];
  const out: SubLayerScore[] = [];
  while (out.length < m && remaining.length > 0) {
    const next = chooseDrop(remaining, method);
    out.push(next);
    remaining.splice(remaining.indexOf(next), 1);
  }
  return out;
}

/**
 * Chooses the drop by recovery: the candidate whose burst ends with the highest calibration P.
 * @param onProbe called with each candidate's recovered P (for the log)
 */
export async function chooseByRecovery(
  keep: KeepMask,
  scores: readonly SubLayerScore[],
  method: ImportanceMethod,
  m: number,
  probe: RecoveryProbe,
  onProbe?: (candidate: SubLayerScore, recovered: number) => void,
): Promise<SubLayerScore> {
  let best: { s: SubLayerScore; p: number } | null = null;
  for (const s of lookaheadCandidates(scores, method, m)) {
    const p = await probe(keep.map((k, i) => k && i !== s.index), s);
    onProbe?.(s, p);
    if (best === null || p > best.p) best = { s, p };
  }
  return best!.s;
}
