/**
 * Rule-based one-shot dropping, the baselines of the TrimLLM paper (Table 3): drop a fraction of the 2L
 * sub-layers at once — the last ones ("top", nearest the head), the first ones ("bottom", nearest the
 * embedding), or a seeded random choice — then fine-tune what remains.
 */
import { seededPermutation } from '../random.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** A rule-based dropping rule. */
export type DropRule = 'random' | 'top' | 'bottom';

/**
 * The keep mask of a rule-based baseline.
 * @param fraction share of the 2L sub-layers to drop, in [0, 1); default 0.5
 * @param seed for 'random' (a seeded Fisher–Yates shuffle)
 */
export function ruleBasedKeepMask(nLayers: number, rule: DropRule, fraction = 0.5, seed = 0): KeepMask {
  const n = 2 * nLayers;
  const drop = Math.round(fraction * n);
  const order = rule === 'random' ? seededPermutation(n, seed) : Array.from({ length: n }, (_, i) => i);
  if (rule === 'top') order.reverse();
  const keep = new Array<boolean>(n).fill(true);
  for (const i of order.slice(0, drop)) keep[i] = false;
  return keep;
}
