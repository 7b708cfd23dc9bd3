/** `trimllm backup OUT.db`: a consistent copy of the workspace database, also while a job writes to it. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { closeDatabase } from '../../store/index.ts';
import { backupWorkspace } from '../../app/maintenance.ts';
import { parse, UsageError } from '../args.ts';
import { dataDir, openWorkspace } from '../../app/workspace.ts';
import { formatBytes } from './vacuum.ts';

/** Help text of the command. */
export const help = `trimllm backup OUT.db [--data-dir DIR]
  Writes a consistent copy of the workspace database to OUT.db (an encrypted workspace: encrypted with the
  same key, by VACUUM INTO; a plain one: SQLite's online backup API): safe while a trim or chat is running (the
  copy is one committed state; the job is not paused). OUT.db must not exist; it is made 0600. Restore by
  pointing --data-dir at a folder holding the copy as trimllm.db, with the same key.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { 'data-dir': { type: 'string' } });
  if (!positionals[0]) throw new UsageError('missing OUT.db, the file to write the copy to');
  const out = resolve(positionals[0]);
  if (existsSync(out)) throw new UsageError(`${out} exists; choose a new file name`);
  const db = openWorkspace(values['data-dir']);
  try {
    const { pages, bytes } = await backupWorkspace(db, dataDir(values['data-dir']), out);
    console.log(`backup of ${db.name}: ${out}, ${pages} pages, ${formatBytes(bytes)}`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}
