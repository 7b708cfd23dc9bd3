/**
 * Where the CLI and server mode get the workspace key, never from the command line (where `ps` and shell
 * history would show it): `--key-file FILE` (the file must be readable by its owner only, 0600 or stricter),
 * the `TRIMLLM_DB_KEY` environment variable, or a prompt on the terminal (no echo). The desktop app keeps a
 * random key in the OS keychain instead (electron/main/db-key.ts).
 *
 * The key chosen for this process is kept here (setWorkspaceAccess) so every opening of the workspace uses
 * it, and handed to job workers in their environment (workerKeyEnv), readable by the same user only.
 */
import { readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { fileState, type DbKey } from './encryption.ts';
import { databasePath, declinedEncryption, type WorkspaceAccess } from './workspace.ts';

/** The environment variable that carries the key (to the CLI, and from a server to its workers). */
export const KEY_ENV = 'TRIMLLM_DB_KEY';

/** A key source the user pointed at cannot be used (bad mode, empty, unreadable). Exit code 1, message says why. */
export class KeySourceError extends Error {
  override readonly name = 'KeySourceError';
}

/**
 * The key in `file`: its text without the final line break.
 * @throws KeySourceError naming the file when it cannot be read, is empty, or group/other may read it
 *   (mode & 077 ≠ 0; POSIX only: Windows has no such modes).
 */
export function readKeyFile(file: string): DbKey {
  let mode: number;
  let text: string;
  try {
    mode = statSync(file).mode;
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeySourceError(`--key-file ${file}: ${(e as Error).message}`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new KeySourceError(`--key-file ${file}: the file is readable by others (mode ${(mode & 0o777).toString(8)}); make it private with \`chmod 600 ${file}\``);
  }
  const key = text.replace(/\r?\n$/, '');
  if (key === '') throw new KeySourceError(`--key-file ${file}: the file is empty`);
  return key;
}

/**
 * Reads one line from the terminal without echoing it.
 * @throws KeySourceError when the input ends before a line.
 */
export async function promptSecret(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('close', () => reject(new KeySourceError('no key was typed (end of input)')));
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** What the workspace in `dataDir` needs from a prompt: the existing key, a new key, or nothing. */
export function keyNeeded(dataDir: string): 'existing' | 'new' | null {
  const path = databasePath(dataDir);
  const state = fileState(path);
  if (state === 'encrypted') return 'existing';
  if (state === 'absent' || (state === 'plain' && !declinedEncryption(path))) return 'new';
  return null;
}

/** Options of resolveCliAccess: the CLI's flags and whether a prompt may be shown. */
export interface CliKeyOptions {
  keyFile?: string;
  noEncryption?: boolean;
  /** The workspace folder, when the command uses one (a prompt is only shown then). */
  dataDir?: string;
  /** What the command needs: 'new' for `trimllm encrypt` (a new key, typed twice); default from the workspace. */
  need?: 'new';
  /** Whether stdin is a terminal (a prompt may be shown). */
  interactive: boolean;
  /** The environment (process.env). */
  env: Record<string, string | undefined>;
}

/**
 * The workspace access of a CLI invocation: `--no-encryption`, else `--key-file`, else TRIMLLM_DB_KEY, else
 * (in a terminal, when the workspace needs one) a prompt: the key once for an encrypted workspace, twice for a
 * new one (they must match). Without any, the access has no key and opening says how to give one.
 * @throws KeySourceError for an unusable key file, an empty key, or two typed keys that differ.
 */
export async function resolveCliAccess(options: CliKeyOptions): Promise<WorkspaceAccess> {
  if (options.noEncryption) return { noEncryption: true };
  if (options.keyFile !== undefined) return { key: readKeyFile(options.keyFile) };
  const fromEnv = options.env[KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv };
  if (!options.interactive || options.dataDir === undefined) return {};
  const need = options.need ?? keyNeeded(options.dataDir);
  if (need === null) return {};
  const key = await promptSecret(need === 'existing' ? `key of the workspace ${options.dataDir}: ` : `new key to encrypt the workspace ${options.dataDir}: `);
  if (key === '') throw new KeySourceError('the key is empty');
  if (need === 'new' && (await promptSecret('type the key again: ')) !== key) throw new KeySourceError('the two keys differ');
  return { key };
}

let current: WorkspaceAccess = {};

/** Sets how this process opens its workspace (the CLI's flags, the app's keychain key). */
export function setWorkspaceAccess(access: WorkspaceAccess): void {
  current = access;
}

/** How this process opens its workspace (empty until set: no key, encryption not declined). */
export function workspaceAccess(): WorkspaceAccess {
  return current;
}

/** Environment entries a job worker needs to open the workspace: the key, when there is one. */
export function workerKeyEnv(): Record<string, string> {
  return current.key !== undefined ? { [KEY_ENV]: current.key } : {};
}

/** The key a job worker was given in its environment (workerKeyEnv), or undefined. */
export function workerKey(env: Record<string, string | undefined>): DbKey | undefined {
  const key = env[KEY_ENV];
  return key !== undefined && key !== '' ? key : undefined;
}
