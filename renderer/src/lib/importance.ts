/**
 * Which sub-layers a run has dropped by now. (Which one a scan drops is the engine's decision, chooseDrop in
 * engine/trim/importance.ts: a scan's scores carry it as `chosen`; the UI never ranks scores itself.)
 */

/** Names of the sub-layers the latest keep mask (by step) drops; empty without checkpoints. */
export function droppedSubLayers(checkpoints: readonly { step: number; keepMask: readonly boolean[] }[], nameAt: (index: number) => string): Set<string> {
  const latest = [...checkpoints].sort((a, b) => b.step - a.step)[0];
  return new Set(latest ? latest.keepMask.flatMap((kept, i) => (kept ? [] : [nameAt(i)])) : []);
}
