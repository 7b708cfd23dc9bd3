/**
 * Evaluation cells as the API shows them (the contract's EvaluationCellSchema): names, the dataset's chance
 * level, and the stored result. Shared by the API service (evaluations.start/list) and the worker's live events.
 */
import type { z } from 'zod';
import type { EvaluationCellSchema } from '../api/contract.ts';
import { getCheckpoint, getDataset, getModel, listCells, type CellRow, type Database } from '../store/index.ts';
import { datasetChance, type PlannedCell } from './evaluation-job.ts';

/** A cell as the API sends it. */
export type EvaluationCellView = z.output<typeof EvaluationCellSchema>;

/** The API view of a planned (or finished) cell. */
export function cellView(db: Database, cell: PlannedCell): EvaluationCellView {
  const s = cell.stored;
  return {
    modelId: cell.key.modelId, checkpointId: cell.key.checkpointId, datasetId: cell.key.datasetId, split: cell.key.split,
    modelLabel: cell.modelLabel, datasetName: cell.datasetName, taskType: cell.taskType,
    chance: datasetChance(db, cell.key.datasetId, cell.key.split),
    result: s ? { metric: s.metric, value: s.value, stderr: s.stderr, recordCount: s.recordCount, truncated: s.truncated, metrics: s.metrics, backend: s.backend, seconds: s.seconds } : null,
  };
}

/** The label of a stored cell's row (as planEvaluation names it). */
function rowLabel(db: Database, c: CellRow): string {
  if (c.checkpointId === null) return `base ${getModel(db, c.modelId)?.name ?? `model ${c.modelId}`}`;
  const cp = getCheckpoint(db, c.checkpointId);
  return cp ? `checkpoint ${cp.id} (run ${cp.runId}, ${cp.label})` : `checkpoint ${c.checkpointId}`;
}

/** Every stored cell of a run: its base model's and its checkpoints', oldest first. */
export function runCells(db: Database, runId: number): EvaluationCellView[] {
  return listCells(db, { runId }).map((c) => {
    const d = getDataset(db, c.datasetId);
    return cellView(db, {
      key: c, modelLabel: rowLabel(db, c), datasetName: d?.name ?? `dataset ${c.datasetId}`, taskType: d?.taskType ?? 'mcq', stored: c,
    });
  });
}
