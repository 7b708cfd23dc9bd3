/**
 * Reading an importance scan (DESIGN.md §1): which sub-layer it ranks next to drop. Only a kept sub-layer can be
 * next; the scan's scores of sub-layers dropped since (or before) it are history.
 */

/** One sub-layer's score in a scan. */
export interface ScanScore {
  subLayer: string;
  calibrationPerformance: number | null;
  importance: number | null;
  activationNorm: number | null;
}

/**
 * The kept sub-layer the scan ranks least important: lowest importance score; ties broken by the highest
 * activation norm (the "both" rule); scans without importance fall back to the highest P. Null when no kept
 * sub-layer was scored.
 * @param dropped names of sub-layers already dropped (never "next")
 */
export function leastImportant(scores: readonly ScanScore[], dropped: ReadonlySet<string> = new Set()): ScanScore | null {
  let best: ScanScore | null = null;
  const key = (s: ScanScore): [number, number] => [s.importance ?? -(s.calibrationPerformance ?? -Infinity), -(s.activationNorm ?? 0)];
  for (const s of scores) {
    if (dropped.has(s.subLayer) || (s.calibrationPerformance === null && s.importance === null)) continue;
    if (best === null) {
      best = s;
      continue;
    }
    const [a1, a2] = key(s);
    const [b1, b2] = key(best);
    if (a1 < b1 || (a1 === b1 && a2 < b2)) best = s;
  }
  return best;
}

/** Names of the sub-layers the latest keep mask (by step) drops; empty without checkpoints. */
export function droppedSubLayers(checkpoints: readonly { step: number; keepMask: readonly boolean[] }[], nameAt: (index: number) => string): Set<string> {
  const latest = [...checkpoints].sort((a, b) => b.step - a.step)[0];
  return new Set(latest ? latest.keepMask.flatMap((kept, i) => (kept ? [] : [nameAt(i)])) : []);
}
