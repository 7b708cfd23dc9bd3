/**
 * The fixed keep masks of `trimllm bench`, so every run (and every machine) measures the same trimmed models.
 *
 * Drop order ("alternating attention/MLP from the top"): walk the blocks from the top (l = L−1) down and drop
 * one sub-layer per block, alternating the kind — mlp_{L−1}, attn_{L−2}, mlp_{L−3}, attn_{L−4}, … — then, once
 * every block has lost one, walk down again dropping the other sub-layer of each block (attn_{L−1}, mlp_{L−2},
 * …). A mask keeping fraction f drops the first 2L − round(f · 2L) sub-layers of that order (ties round up,
 * i.e. keep one more). So 50% drops exactly one sub-layer per block (as many attentions as MLPs for even L),
 * and 75% drops about half attentions, half MLPs from the upper half: the ideal speed-up mixes both kinds
 * instead of measuring only one. The top comes first because TrimLLM and the rule-based "top" baseline
 * (DESIGN.md §1) find late layers the most redundant.
 */
import { maskIndex, type KeepMask, type SubLayer, type SubLayerName, subLayerName } from '../model/sublayers.ts';

/** Kept fractions every shape is measured at: the full model, then 75% and 50% of its sub-layers. */
export const BENCH_KEPT_FRACTIONS = [1, 0.75, 0.5] as const;

function dropOrder(nLayers: number): SubLayer[] {
  if (!Number.isInteger(nLayers) || nLayers < 1) throw new RangeError(`nLayers must be a positive integer, got ${nLayers}`);
  const first: SubLayer[] = [];
  const second: SubLayer[] = [];
  for (let i = 0; i < nLayers; i++) {
    const layer = nLayers - 1 - i;
    const mlpFirst = i % 2 === 0;
    first.push({ kind: mlpFirst ? 'mlp' : 'attn', layer });
    second.push({ kind: mlpFirst ? 'attn' : 'mlp', layer });
  }
  return [...first, ...second];
}

/** All 2L sub-layers in bench drop order (see the file docstring). */
export function benchDropOrder(nLayers: number): SubLayerName[] {
  return dropOrder(nLayers).map(subLayerName);
}

/** Number of sub-layers kept at fraction f of 2L: round(f · 2L), at least 1 (half rounds up). */
export function keptCount(nLayers: number, keptFraction: number): number {
  if (!(keptFraction > 0 && keptFraction <= 1)) throw new RangeError(`kept fraction must be in (0, 1], got ${keptFraction}`);
  return Math.max(1, Math.round(keptFraction * 2 * nLayers));
}

/**
 * The bench keep mask keeping `keptFraction` of the 2L sub-layers (see the file docstring).
 * @throws RangeError when nLayers is not a positive integer or keptFraction is outside (0, 1]
 */
export function benchKeepMask(nLayers: number, keptFraction: number): KeepMask {
  const drop = 2 * nLayers - keptCount(nLayers, keptFraction);
  const mask = new Array<boolean>(2 * nLayers).fill(true);
  for (const s of dropOrder(nLayers).slice(0, drop)) mask[maskIndex(s)] = false;
  return mask;
}
