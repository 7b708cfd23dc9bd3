/** `trimllm rekey`: changes the key of an encrypted workspace. */
import { changeWorkspaceKey, KEY_ENV, promptSecret, readKeyFile, workspaceAccess } from '../../store/index.ts';
import { parse, UsageError } from '../args.ts';
import { announcePhase } from '../../app/phase-announce.ts';
import { dataDir } from '../../app/workspace.ts';

/** The environment variable of the new key (the current one is TRIMLLM_DB_KEY). */
export const NEW_KEY_ENV = `${KEY_ENV}_NEW`;

/** Help text of the command. */
export const help = `trimllm rekey [--data-dir DIR] [--new-key-file FILE]
  Re-encrypts the workspace with a new key. The current key: TRIMLLM_DB_KEY, --key-file FILE or the prompt;
  the new one: --new-key-file FILE (mode 0600), ${NEW_KEY_ENV}, or the prompt (typed twice). Kill-safe, as
  trimllm encrypt; no other trimllm process may be using the workspace.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' }, 'new-key-file': { type: 'string' } });
  const current = workspaceAccess().key;
  if (current === undefined) throw new UsageError('no current key: give it with TRIMLLM_DB_KEY=…, --key-file FILE, or run in a terminal to be asked');
  let next = values['new-key-file'] !== undefined ? readKeyFile(values['new-key-file']) : process.env[NEW_KEY_ENV];
  if ((next === undefined || next === '') && process.stdin.isTTY) {
    next = await promptSecret('new key: ');
    if ((await promptSecret('type the new key again: ')) !== next) throw new UsageError('the two keys differ');
  }
  if (next === undefined || next === '') throw new UsageError(`no new key: --new-key-file FILE, ${NEW_KEY_ENV}=…, or run in a terminal to be asked`);
  const dir = dataDir(values['data-dir']);
  changeWorkspaceKey(dir, current, next, (name) => announcePhase(name));
  console.log(`changed the key of the workspace in ${dir}`);
  return 0;
}
