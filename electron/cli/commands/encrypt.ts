/** `trimllm encrypt`: encrypts an unencrypted workspace (one kept plain with --no-encryption) with a new key. */
import { changeWorkspaceKey, workspaceAccess } from '../../store/index.ts';
import { parse, UsageError } from '../args.ts';
import { announcePhase } from '../../app/phase-announce.ts';
import { dataDir } from '../../app/workspace.ts';

/** Help text of the command. */
export const help = `trimllm encrypt [--data-dir DIR]  (the new key: TRIMLLM_DB_KEY, --key-file FILE, or the prompt)
  Encrypts the workspace database in place: an encrypted copy is written beside it, checked (integrity_check,
  row counts), then swapped in; a kill at any moment leaves the old file or the new one, whole. No other
  trimllm process may be using the workspace. Keep the key safe: without it the workspace cannot be read.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' } });
  const key = workspaceAccess().key;
  if (key === undefined) throw new UsageError('no new key: give it with TRIMLLM_DB_KEY=…, --key-file FILE, or run in a terminal to be asked');
  const dir = dataDir(values['data-dir']);
  changeWorkspaceKey(dir, null, key, (name) => announcePhase(name));
  console.log(`encrypted the workspace in ${dir}`);
  return 0;
}
