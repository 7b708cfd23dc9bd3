/**
 * The evaluation matrix of the Evaluate page and the run page: rows are models, columns datasets; each cell is
 * compared with the base model's cell on the same dataset. "Within noise" when the difference is within two
 * standard errors of the difference (sqrt(se_a² + se_b²), the two evaluations taken as independent).
 */
import type { EventPayload } from '../../../electron/api/contract.ts';

/** One cell as the API sends it. */
export type EvalCell = EventPayload<'evaluation.cell'>['cell'];

/** How a cell compares with the base model on the same dataset. */
export type Verdict = 'better' | 'within noise' | 'worse' | 'base model' | 'no base';

/** Standard errors of the difference counted as noise (about 95% for a normal difference). */
export const NOISE_SIGMAS = 2;

/** A cell's key in a map of cells: `<modelId>/<checkpointId or base>/<datasetId>`. */
export function cellKey(c: Pick<EvalCell, 'modelId' | 'checkpointId' | 'datasetId'>): string {
  return `${c.modelId}/${c.checkpointId ?? 'base'}/${c.datasetId}`;
}

/** The verdict of `cell` against `base` (the base model's cell on the same dataset), or undefined before both are measured. */
export function verdictOf(cell: EvalCell, base: EvalCell | undefined): Verdict | undefined {
  if (cell.checkpointId === null) return 'base model';
  if (!base) return 'no base';
  const a = cell.result;
  const b = base.result;
  if (!a || !b) return undefined;
  const noise = NOISE_SIGMAS * Math.sqrt((a.stderr ?? 0) ** 2 + (b.stderr ?? 0) ** 2);
  const diff = a.value - b.value;
  if (diff > noise) return 'better';
  if (diff < -noise) return 'worse';
  return 'within noise';
}

/** Rows (models, base models first) and columns (datasets) of a set of cells, in first-seen order. */
export function matrixShape(cells: readonly EvalCell[]): { rows: { key: string; label: string; modelId: number; checkpointId: number | null }[]; cols: { datasetId: number; name: string; chance: number | null }[] } {
  const rows = new Map<string, { key: string; label: string; modelId: number; checkpointId: number | null }>();
  const cols = new Map<number, { datasetId: number; name: string; chance: number | null }>();
  for (const c of cells) {
    const key = `${c.modelId}/${c.checkpointId ?? 'base'}`;
    if (!rows.has(key)) rows.set(key, { key, label: c.modelLabel, modelId: c.modelId, checkpointId: c.checkpointId });
    if (!cols.has(c.datasetId)) cols.set(c.datasetId, { datasetId: c.datasetId, name: c.datasetName, chance: c.chance });
  }
  const ordered = [...rows.values()].sort((a, b) => Number(a.checkpointId !== null) - Number(b.checkpointId !== null));
  return { rows: ordered, cols: [...cols.values()] };
}
