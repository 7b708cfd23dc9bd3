/**
 * Sub-layers in the UI (DESIGN.md §1): block l has `attn<l>` (mask index 2l) and `mlp<l>` (mask index 2l + 1).
 */

/** Kind of a sub-layer. */
export type SubLayerKind = 'attn' | 'mlp';

/** Name of the sub-layer at a keep-mask index. */
export function subLayerAt(index: number): string {
  return `${index % 2 === 0 ? 'attn' : 'mlp'}${Math.floor(index / 2)}`;
}

/** Kind and block of a name like `attn2` / `mlp_0`; null when it is not one. */
export function parseSubLayer(name: string): { kind: SubLayerKind; block: number } | null {
  const m = /^(attn|mlp)_?(\d+)$/.exec(name.trim());
  return m ? { kind: m[1] as SubLayerKind, block: Number(m[2]) } : null;
}

/** Colours of the two kinds, used by every chart. */
export const KIND_COLOURS: Record<SubLayerKind, string> = { attn: '#2563eb', mlp: '#b45309' };

/** Human label of a kind. */
export const KIND_LABELS: Record<SubLayerKind, string> = { attn: 'Attention', mlp: 'MLP' };

/** Where and when each sub-layer was dropped, from checkpoints in step order. */
export interface DropInfo {
  /** Epoch of the checkpoint where the sub-layer first appears dropped; undefined = kept. */
  epoch: number | undefined;
  /** Label of that checkpoint. */
  label: string | undefined;
}

/**
 * Drop epoch per mask index: the first checkpoint (by step) whose keep mask no longer holds the sub-layer.
 * @param nSub 2L
 */
export function dropHistory(nSub: number, checkpoints: readonly { step: number; epoch: number; label: string; keepMask: readonly boolean[] }[]): DropInfo[] {
  const out: DropInfo[] = Array.from({ length: nSub }, () => ({ epoch: undefined, label: undefined }));
  const ordered = [...checkpoints].sort((a, b) => a.step - b.step);
  for (const cp of ordered) {
    cp.keepMask.forEach((kept, i) => {
      if (!kept && i < nSub && out[i].epoch === undefined) out[i] = { epoch: cp.epoch, label: cp.label };
    });
  }
  return out;
}
