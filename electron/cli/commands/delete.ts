/** `trimllm delete run|dataset|chat|checkpoint|model ID`: remove records and their BLOBs from the workspace. */
import { closeDatabase } from '../../store/index.ts';
import { parse, UsageError } from '../args.ts';
import { dataDir, openWorkspace } from '../../app/workspace.ts';
import { DELETABLE_KINDS, deleteDatasetWithRuns, deleteRecord, deleteRunWithReport, type DeletableKind } from '../../app/delete-records.ts';
import { vacuumWorkspace } from '../../app/maintenance.ts';
import { formatBytes } from './vacuum.ts';

/** Help text of the command. */
export const help = `trimllm delete run|dataset|chat|checkpoint|model ID [--with-runs] [--vacuum] [--data-dir DIR]
  Deletes one record and everything that belongs to it: a run with its events, importance scores, checkpoints,
  their tensor BLOBs and the report folder the app made for it (one given with --report-dir stays); a
  checkpoint with its tensors; a dataset with its records (--with-runs: and the runs trained on it, as the app
  offers); a chat with its messages; a model (its runs must be deleted first). --vacuum then gives the space
  back to the disk
  (as trimllm vacuum does).`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { vacuum: { type: 'boolean' }, 'with-runs': { type: 'boolean' }, 'data-dir': { type: 'string' } });
  const [kind, idText] = positionals;
  if (!DELETABLE_KINDS.includes(kind as DeletableKind)) throw new UsageError(`what to delete: ${DELETABLE_KINDS.join(', ')}`);
  const id = Number(idText);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`missing ID of the ${kind} (see trimllm runs)`);
  if (values['with-runs'] && kind !== 'dataset') throw new UsageError('--with-runs goes with delete dataset');
  const db = openWorkspace(values['data-dir']);
  try {
    const dir = dataDir(values['data-dir']);
    const deleted = kind === 'dataset' && values['with-runs']
      ? await deleteDatasetWithRuns(db, id, true, (runId) => deleteRunWithReport(db, dir, runId))
      : deleteRecord(db, dir, kind as DeletableKind, id);
    if (!deleted) throw new Error(`there is no ${kind} ${id} in the workspace ${db.name}`);
    console.log(`deleted ${kind} ${id}`);
    if (values.vacuum) {
      const { bytesBefore, bytesAfter } = vacuumWorkspace(db, null);
      console.log(`vacuum: ${formatBytes(bytesBefore)} → ${formatBytes(bytesAfter)}`);
    }
    return 0;
  } finally {
    closeDatabase(db);
  }
}
