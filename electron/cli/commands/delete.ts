/** `trimllm delete run|dataset|chat|checkpoint|model ID`: remove records and their BLOBs from the workspace. */
import {
  closeDatabase, compactDatabase, deleteChat, deleteCheckpoint, deleteDataset, deleteModel, deleteRun, type Database,
} from '../../store/index.ts';
import { parse, UsageError } from '../args.ts';
import { openWorkspace } from '../../app/workspace.ts';
import { formatBytes } from './vacuum.ts';

/** Help text of the command. */
export const help = `trimllm delete run|dataset|chat|checkpoint|model ID [--vacuum] [--data-dir DIR]
  Deletes one record and everything that belongs to it: a run with its events, importance scores, checkpoints
  and their tensor BLOBs; a checkpoint with its tensors; a dataset with its records; a chat with its messages;
  a model (runs on a dataset or model must be deleted first). --vacuum then gives the space back to the disk
  (as trimllm vacuum does).`;

const KINDS: Record<string, (db: Database, id: number) => boolean> = {
  run: deleteRun,
  dataset: deleteDataset,
  chat: deleteChat,
  checkpoint: deleteCheckpoint,
  model: deleteModel,
};

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { vacuum: { type: 'boolean' }, 'data-dir': { type: 'string' } });
  const [kind, idText] = positionals;
  const remove = kind === undefined ? undefined : KINDS[kind];
  if (!remove) throw new UsageError(`what to delete: ${Object.keys(KINDS).join(', ')}`);
  const id = Number(idText);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`missing ID of the ${kind} (see trimllm runs)`);
  const db = openWorkspace(values['data-dir']);
  try {
    if (!remove(db, id)) throw new Error(`there is no ${kind} ${id} in the workspace ${db.name}`);
    console.log(`deleted ${kind} ${id}`);
    if (values.vacuum) {
      const { bytesBefore, bytesAfter } = compactDatabase(db);
      console.log(`vacuum: ${formatBytes(bytesBefore)} → ${formatBytes(bytesAfter)}`);
    }
    return 0;
  } finally {
    closeDatabase(db);
  }
}
