/** `trimllm vacuum`: give the space of deleted records back to the disk. */
import { closeDatabase } from '../../store/index.ts';
import { vacuumWorkspace } from '../../app/maintenance.ts';
import { parse } from '../args.ts';
import { openWorkspace } from '../../app/workspace.ts';

/** Help text of the command. */
export const help = `trimllm vacuum [--data-dir DIR]
  Rebuilds the workspace database so the space of deleted runs, checkpoints, datasets and chats returns to the
  disk; prints its size (file + write-ahead log) before and after. Needs free space about the database's size
  and waits for a running job's writes.`;

/** `12345678` → `12345678 bytes (11.8 MiB)`. */
export function formatBytes(bytes: number): string {
  return `${bytes} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB)`;
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' } });
  const db = openWorkspace(values['data-dir']);
  try {
    const { bytesBefore, bytesAfter } = vacuumWorkspace(db, null);
    console.log(`${db.name}: ${formatBytes(bytesBefore)} before, ${formatBytes(bytesAfter)} after, ${bytesBefore - bytesAfter} bytes reclaimed`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}
