// Where the CLI's workspace key comes from (electron/store/workspace-key.ts): --no-encryption, then --key-file
// (private files only), then TRIMLLM_DB_KEY; no prompt without a terminal; what a prompt would ask for; and
// what a file on disk is (fileState), which every refusal starts from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeDatabase, fileState, keyNeeded, KeySourceError, openWorkspaceDatabase, readKeyFile, resolveCliAccess,
} from '../../electron/store/index.ts';

test('key sources: --no-encryption, then --key-file, then TRIMLLM_DB_KEY; nothing asked without a terminal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-keys-'));
  const file = join(dir, 'key');
  writeFileSync(file, 'from the file\n', { mode: 0o600 });
  const env = { TRIMLLM_DB_KEY: 'from the environment' };
  assert.deepEqual(await resolveCliAccess({ noEncryption: true, keyFile: file, env, interactive: false }), { noEncryption: true });
  assert.deepEqual(await resolveCliAccess({ keyFile: file, env, interactive: false }), { key: 'from the file' });
  assert.deepEqual(await resolveCliAccess({ env, interactive: false }), { key: 'from the environment' });
  assert.deepEqual(await resolveCliAccess({ env: { TRIMLLM_DB_KEY: '' }, dataDir: dir, interactive: false }), {});
  assert.deepEqual(await resolveCliAccess({ env: {}, interactive: true }), {}, 'no workspace: nothing to ask');
});

test('a key file must be private, readable and not empty; only its final line break is dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-keyfile-'));
  const file = (name: string, text: string, mode: number) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode });
    return path;
  };
  assert.equal(readKeyFile(file('a', 'two words \r\n', 0o600)), 'two words ');
  assert.equal(readKeyFile(file('b', 'line one\nline two\n', 0o400)), 'line one\nline two');
  assert.throws(() => readKeyFile(file('c', 'k', 0o640)), (e: Error) => e instanceof KeySourceError && /mode 640.*chmod 600/.test(e.message));
  assert.throws(() => readKeyFile(file('d', '\n', 0o600)), /the file is empty/);
  assert.throws(() => readKeyFile(join(dir, 'missing')), /--key-file .*missing: ENOENT/);
});

test('what a prompt asks for, and what a file is', () => {
  const root = mkdtempSync(join(tmpdir(), 'trimllm-need-'));
  const fresh = join(root, 'fresh');
  assert.equal(keyNeeded(fresh), 'new');
  assert.equal(fileState(join(fresh, 'trimllm.db')), 'absent');
  const encrypted = join(root, 'encrypted');
  closeDatabase(openWorkspaceDatabase(encrypted, { key: 'k' }));
  assert.equal(keyNeeded(encrypted), 'existing');
  assert.equal(fileState(join(encrypted, 'trimllm.db')), 'encrypted');
  const declined = join(root, 'declined');
  closeDatabase(openWorkspaceDatabase(declined, { noEncryption: true }));
  assert.equal(keyNeeded(declined), null, 'a workspace kept plain by its owner needs no key');
  assert.equal(fileState(join(declined, 'trimllm.db')), 'plain');
  const junk = join(root, 'junk.db');
  writeFileSync(junk, Buffer.alloc(8192, 7));
  assert.equal(fileState(junk), 'encrypted', 'whole pages of noise look like an encrypted file (the key decides)');
  writeFileSync(junk, Buffer.alloc(8000, 7));
  assert.equal(fileState(junk), 'truncated');
  writeFileSync(junk, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from([0x10, 0x00]), Buffer.alloc(82)]));
  assert.equal(fileState(junk), 'truncated', 'a plain header without its pages');
});
