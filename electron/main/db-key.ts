/**
 * The desktop app's workspace key, kept as Signal Desktop keeps its SQLCipher key: a random 256-bit key made on
 * first start, stored only encrypted by the OS keychain through Electron's `safeStorage` (macOS Keychain,
 * Windows DPAPI, libsecret/kwallet on Linux) in `<data dir>/db-key.enc` (mode 0600). The database file alone,
 * or with that blob but without the user's OS login, cannot be read.
 *
 * TRIMLLM_DB_KEY, when set, is used instead (as the CLI does); a workspace whose owner declined encryption
 * (`trimllm --no-encryption`, recorded in it) is opened plain.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  databasePath, declinedEncryption, fileState, KEY_ENV, PRIVATE_FILE_MODE, randomRawKey, type WorkspaceAccess,
} from '../store/index.ts';

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** The name of the keychain-encrypted key blob in the data directory. */
export const KEY_BLOB_FILE = 'db-key.enc';

/**
 * How the app opens the workspace in `dataDir`: the key from TRIMLLM_DB_KEY, else from the key blob
 * (decrypted by `safeStorage`), else, for a workspace kept plain by its owner, no encryption; else a new random
 * key, written (encrypted by the keychain) before the database is created or converted, so a crash cannot
 * leave an encrypted database whose key was never stored.
 * @throws Error with what to do when the keychain is unavailable or cannot decrypt the blob.
 */
export function appWorkspaceAccess(safeStorage: SafeStorageLike, dataDir: string, env: Record<string, string | undefined>): WorkspaceAccess {
  const fromEnv = env[KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv };
  const blob = join(dataDir, KEY_BLOB_FILE);
  const available = safeStorage.isEncryptionAvailable();
  if (existsSync(blob)) {
    if (!available) throw new Error(`the OS keychain is not available, so the workspace key in ${blob} cannot be read; unlock the keychain (or start with ${KEY_ENV}=…) and start again`);
    try {
      return { key: safeStorage.decryptString(readFileSync(blob)) };
    } catch (e) {
      throw new Error(`the OS keychain could not decrypt the workspace key in ${blob} (${(e as Error).message}); it was made under another user or keychain`, { cause: e });
    }
  }
  const path = databasePath(dataDir);
  if (fileState(path) === 'plain' && declinedEncryption(path)) return { noEncryption: true };
  if (!available) {
    throw new Error(`the OS keychain is not available to keep the workspace key (on Linux: install and unlock gnome-keyring or kwallet); or start with ${KEY_ENV}=…, or keep the workspace unencrypted with \`trimllm --no-encryption runs --data-dir ${dataDir}\``);
  }
  const key = randomRawKey();
  const temp = `${blob}.tmp`;
  writeFileSync(temp, safeStorage.encryptString(key), { mode: PRIVATE_FILE_MODE });
  renameSync(temp, blob);
  return { key };
}
