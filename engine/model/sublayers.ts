/**
 * Sub-layers and keep masks (DESIGN.md §1; TrimLLM paper §3.1).
 *
 * Each decoder block `l` has two sub-layers, the unit of dropping: `attn_l` (pre-norm + self-attention +
 * residual add) and `mlp_l` (pre-norm + MLP + residual add). A model with L blocks has 2L sub-layers, ordered
 * `attn0, mlp0, attn1, mlp1, …`. A dropped sub-layer is skipped: the residual stream passes through unchanged.
 */

/** Kind of a sub-layer. */
export type SubLayerKind = 'attn' | 'mlp';

/** A sub-layer name such as `attn2` or `mlp0` (0-based block index). */
export type SubLayerName = `${SubLayerKind}${number}`;

/** A sub-layer identified by kind and 0-based block index. */
export interface SubLayer {
  kind: SubLayerKind;
  layer: number;
}

/**
 * Which sub-layers remain. `kept[2l]` is `attn_l`, `kept[2l + 1]` is `mlp_l`; length 2L.
 * Immutable by convention: functions return new masks.
 */
export type KeepMask = readonly boolean[];

/** Canonical name of a sub-layer, e.g. `{kind:'attn', layer:2}` → `attn2`. */
export function subLayerName(s: SubLayer): SubLayerName {
  return `${s.kind}${s.layer}`;
}

/** All 2L sub-layers of an L-block model, in forward order. */
export function allSubLayers(nLayers: number): SubLayer[] {
  const out: SubLayer[] = [];
  for (let layer = 0; layer < nLayers; layer++) out.push({ kind: 'attn', layer }, { kind: 'mlp', layer });
  return out;
}

/** Index of a sub-layer in a keep mask (`2l` for attention, `2l + 1` for the MLP). */
export function maskIndex(s: SubLayer): number {
  return 2 * s.layer + (s.kind === 'attn' ? 0 : 1);
}

/**
 * Parses a sub-layer name (`attn2`, `mlp0`; also accepts `attn_2`, `mlp_0`).
 * @throws Error naming the bad name and the valid range when it is malformed or out of range.
 */
export function parseSubLayer(name: string, nLayers: number): SubLayer {
  const m = /^(attn|mlp)_?(\d+)$/.exec(name.trim());
  if (!m) throw new Error(`invalid sub-layer name "${name}": expected attn<i> or mlp<i>, e.g. attn2 or mlp0`);
  const layer = Number(m[2]);
  if (layer >= nLayers) {
    throw new Error(`invalid sub-layer "${name}": the model has ${nLayers} layers (valid indices 0..${nLayers - 1})`);
  }
  return { kind: m[1] as SubLayerKind, layer };
}

/** A keep mask with every one of the 2L sub-layers kept. */
export function fullKeepMask(nLayers: number): KeepMask {
  return new Array<boolean>(2 * nLayers).fill(true);
}

/**
 * A keep mask with the named sub-layers dropped, e.g. `dropSubLayers(5, ['attn2', 'mlp0'])`.
 * @throws Error on a malformed or out-of-range name (see parseSubLayer).
 */
export function keepMaskWithout(nLayers: number, dropped: readonly string[]): KeepMask {
  const mask = [...fullKeepMask(nLayers)];
  for (const name of dropped) mask[maskIndex(parseSubLayer(name, nLayers))] = false;
  return mask;
}

/** Names of the kept sub-layers of a mask, in forward order. */
export function keptNames(mask: KeepMask): SubLayerName[] {
  return allSubLayers(mask.length / 2)
    .filter((s) => mask[maskIndex(s)])
    .map(subLayerName);
}

/** Names of the dropped sub-layers of a mask, in forward order. */
export function droppedNames(mask: KeepMask): SubLayerName[] {
  return allSubLayers(mask.length / 2)
    .filter((s) => !mask[maskIndex(s)])
    .map(subLayerName);
}
