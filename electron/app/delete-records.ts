/**
 * Deleting records with everything that belongs to them (the store removes rows and tensor BLOBs; a run's
 * report folder, when the app made it, goes too). The faces add their own refusals (the server: a run being
 * trimmed).
 */
import { deleteChat, deleteCheckpoint, deleteDataset, deleteModel, deleteRun, getRun, listRuns, type Database } from '../store/index.ts';
import { asConflict, ConflictError } from './errors.ts';
import { removeAppReport, reportOf } from './run-report.ts';

/** What `deleteRecord` deletes. */
export const DELETABLE_KINDS = ['run', 'dataset', 'chat', 'checkpoint', 'model'] as const;

/** One of DELETABLE_KINDS. */
export type DeletableKind = (typeof DELETABLE_KINDS)[number];

/**
 * Deletes run `id` with its events, scores, checkpoints and the report folder the app made for it.
 * @returns false when there is no such run
 * @throws Error from the store when it cannot be deleted
 */
export function deleteRunWithReport(db: Database, dataDir: string, id: number): boolean {
  const run = getRun(db, id);
  if (!run) return false;
  const ok = deleteRun(db, id);
  removeAppReport(dataDir, reportOf(run).dir);
  return ok;
}

/**
 * Deletes dataset `id`; with `withRuns`, first the runs trained on it (each through `deleteOneRun`, so the face's
 * refusals apply).
 * @returns false when there is no such dataset
 * @throws ConflictError when runs use it and `withRuns` is not set, or the store refuses
 */
export async function deleteDatasetWithRuns(db: Database, id: number, withRuns: boolean, deleteOneRun: (runId: number) => unknown): Promise<boolean> {
  const runs = listRuns(db, { datasetId: id });
  if (runs.length > 0 && !withRuns) {
    throw new ConflictError(`This dataset was used to train ${runs.length === 1 ? 'one run' : `${runs.length} runs`}; delete ${runs.length === 1 ? 'it' : 'them'} too, or keep the dataset`);
  }
  for (const run of runs) await deleteOneRun(run.id);
  return asConflict(() => deleteDataset(db, id));
}

/**
 * Deletes one record of `kind` (a run with its app-made report; a model or dataset still used by runs is refused
 * by the store).
 * @returns false when there is no such record
 * @throws Error from the store when it cannot be deleted
 */
export function deleteRecord(db: Database, dataDir: string, kind: DeletableKind, id: number): boolean {
  switch (kind) {
    case 'run': return deleteRunWithReport(db, dataDir, id);
    case 'dataset': return deleteDataset(db, id);
    case 'chat': return deleteChat(db, id);
    case 'checkpoint': return deleteCheckpoint(db, id);
    case 'model': return deleteModel(db, id);
  }
}
