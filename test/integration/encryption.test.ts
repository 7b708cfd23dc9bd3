// Encryption at rest (RELIABILITY.md §9): the database file and its backup hold no record text and no SQLite
// header; every way of opening it wrongly (wrong key, no key, truncated, plain with a key, encrypted with
// --no-encryption) is a clear message, exit code 1, and the files unchanged; a plain workspace from before is
// converted in place on first open with a key; encrypt, rekey and the key file's mode check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { TEST_DB_KEY } from '../helpers/shared.ts';
import {
  backupDatabase, changeWorkspaceKey, closeDatabase, fileState, importDataset, listDatasets, listRecords, openDatabase, openWorkspaceDatabase,
} from '../../electron/store/index.ts';

/** A record text no SQLite page would hold by chance. */
const SECRET = 'Patient 4471 reports chest pain radiating to the left arm since Tuesday';

function workspaceWithRecord(dir: string, access: { key?: string; noEncryption?: boolean }): void {
  const db = openWorkspaceDatabase(dir, access);
  try {
    importDataset(db, { name: 'notes', source: '/notes.jsonl', format: 'jsonl', taskType: 'text', mapping: {} }, [
      { split: 'train', payload: { text: SECRET } },
      { split: 'test', payload: { text: 'an ordinary note' } },
    ]);
  } finally {
    closeDatabase(db);
  }
}

/** Every file of a folder with its sha256: "nothing changed on disk" is this, equal before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  return out;
}

function assertNoPlaintext(path: string): void {
  const bytes = readFileSync(path);
  assert.ok(bytes.length > 0, `${path} is empty`);
  assert.equal(bytes.includes(Buffer.from('SQLite format 3')), false, `${path} has the SQLite header`);
  assert.equal(bytes.includes(Buffer.from(SECRET)), false, `${path} holds the record's text`);
  assert.equal(bytes.includes(Buffer.from('Patient 4471')), false, `${path} holds part of the record's text`);
}

test('the database file, its WAL and its backup hold neither the record text nor the SQLite header', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-enc-'));
  // Written and kept open: the WAL holds the last commits (checked too), then closed: all in the main file.
  const db = openWorkspaceDatabase(dir, { key: TEST_DB_KEY });
  importDataset(db, { name: 'notes', source: '/notes.jsonl', format: 'jsonl', taskType: 'text', mapping: {} }, [
    { split: 'train', payload: { text: SECRET } },
  ]);
  assert.ok(existsSync(join(dir, 'trimllm.db-wal')));
  assertNoPlaintext(join(dir, 'trimllm.db-wal'));
  const backup = join(dir, 'backup.db');
  await backupDatabase(db, backup);
  closeDatabase(db);
  assertNoPlaintext(join(dir, 'trimllm.db'));
  assertNoPlaintext(backup);
  // The backup is encrypted with the same key and holds the record.
  const copy = openDatabase(backup, { key: TEST_DB_KEY });
  try {
    const [dataset] = listDatasets(copy);
    assert.equal((listRecords(copy, dataset!.id, 'train')[0]!.payload as { text: string }).text, SECRET);
  } finally {
    closeDatabase(copy);
  }
  // The control: the same record in a plain workspace is in the file, in clear.
  const plain = mkdtempSync(join(tmpdir(), 'trimllm-plain-'));
  workspaceWithRecord(plain, { noEncryption: true });
  assert.ok(readFileSync(join(plain, 'trimllm.db')).includes(Buffer.from(SECRET)));
});

test('wrong key, missing key, truncated file, plain opened with a key, encrypted with --no-encryption: a clear message, exit 1, nothing changed', () => {
  const root = mkdtempSync(join(tmpdir(), 'trimllm-enc-errors-'));
  const encrypted = join(root, 'encrypted');
  workspaceWithRecord(encrypted, { key: TEST_DB_KEY });
  const declined = join(root, 'declined');
  workspaceWithRecord(declined, { noEncryption: true });
  const truncated = join(root, 'truncated');
  mkdirSync(truncated);
  copyFileSync(join(encrypted, 'trimllm.db'), join(truncated, 'trimllm.db'));
  truncateSync(join(truncated, 'trimllm.db'), 4096 + 1000);
  const cases: { name: string; dir: string; env: Record<string, string>; flags: string[]; message: RegExp }[] = [
    { name: 'wrong key', dir: encrypted, env: { TRIMLLM_DB_KEY: 'not the key' }, flags: [], message: /is encrypted and this key does not open it \(wrong key\); give the key with TRIMLLM_DB_KEY/ },
    { name: 'missing key', dir: encrypted, env: { TRIMLLM_DB_KEY: '' }, flags: [], message: /the workspace .* is encrypted; give the key with TRIMLLM_DB_KEY=…, --key-file FILE/ },
    { name: 'encrypted, --no-encryption', dir: encrypted, env: { TRIMLLM_DB_KEY: '' }, flags: ['--no-encryption'], message: /is encrypted, so --no-encryption cannot open it/ },
    { name: 'truncated', dir: truncated, env: {}, flags: [], message: /not whole 4096-byte pages.*restore it from a backup/ },
    { name: 'plain (declined) with a key', dir: declined, env: {}, flags: [], message: /is not encrypted \(its owner turned encryption off\), but a key was given/ },
  ];
  for (const c of cases) {
    const before = snapshot(c.dir);
    const r = runCli(['runs', '--data-dir', c.dir, ...c.flags], c.env);
    assert.equal(r.status, 1, `${c.name}: exit code\n${r.stderr}`);
    assert.match(r.stderr, c.message, c.name);
    assert.doesNotMatch(r.stderr, /SQLITE_NOTADB|\n\s+at /, `${c.name}: no driver code, no stack`);
    assert.deepEqual(snapshot(c.dir), before, `${c.name}: nothing changed on disk`);
  }
  // The right key and the declined workspace without one still open.
  assert.equal(runCli(['runs', '--data-dir', encrypted]).status, 0);
  assert.equal(runCli(['runs', '--data-dir', declined], { TRIMLLM_DB_KEY: '' }).status, 0);
});

test('a plain workspace from an earlier version is encrypted in place on first open with a key, records intact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-migrate-'));
  // Today's version: a plain database, no "declined" mark.
  const db = openDatabase(join(dir, 'trimllm.db'));
  importDataset(db, { name: 'notes', source: '/notes.jsonl', format: 'jsonl', taskType: 'text', mapping: {} }, [
    { split: 'train', payload: { text: SECRET } },
  ]);
  closeDatabase(db);
  assert.equal(fileState(join(dir, 'trimllm.db')), 'plain');
  const before = snapshot(dir);
  const refused = runCli(['runs', '--data-dir', dir], { TRIMLLM_DB_KEY: '' });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /is not encrypted yet: give the key .* to encrypt it now .* or pass --no-encryption/);
  assert.deepEqual(snapshot(dir), before, 'refused: nothing changed');
  const r = runCli(['runs', '--data-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fileState(join(dir, 'trimllm.db')), 'encrypted');
  assertNoPlaintext(join(dir, 'trimllm.db'));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('converting')), [], 'no copy left behind');
  const opened = openDatabase(join(dir, 'trimllm.db'), { key: TEST_DB_KEY });
  try {
    const [dataset] = listDatasets(opened);
    assert.equal((listRecords(opened, dataset!.id, 'train')[0]!.payload as { text: string }).text, SECRET);
  } finally {
    closeDatabase(opened);
  }
});

test('trimllm encrypt, trimllm rekey, and the key file must be private', () => {
  const root = mkdtempSync(join(tmpdir(), 'trimllm-rekey-'));
  const dir = join(root, 'ws');
  workspaceWithRecord(dir, { noEncryption: true });
  const keyFile = join(root, 'key');
  writeFileSync(keyFile, 'first key from a file\n', { mode: 0o644 });
  chmodSync(keyFile, 0o644);
  const open = runCli(['encrypt', '--data-dir', dir, '--key-file', keyFile], { TRIMLLM_DB_KEY: '' });
  assert.equal(open.status, 1);
  assert.match(open.stderr, /--key-file .*key: the file is readable by others \(mode 644\); make it private with `chmod 600/);
  chmodSync(keyFile, 0o600);
  const encrypted = runCli(['encrypt', '--data-dir', dir, '--key-file', keyFile], { TRIMLLM_DB_KEY: '' });
  assert.equal(encrypted.status, 0, encrypted.stderr);
  assert.equal(fileState(join(dir, 'trimllm.db')), 'encrypted');
  assert.equal(runCli(['runs', '--data-dir', dir, '--key-file', keyFile]).status, 0, 'the key file opens it');

  const rekeyed = runCli(['rekey', '--data-dir', dir, '--key-file', keyFile], { TRIMLLM_DB_KEY_NEW: 'second key' });
  assert.equal(rekeyed.status, 0, rekeyed.stderr);
  assert.equal(runCli(['runs', '--data-dir', dir, '--key-file', keyFile]).status, 1, 'the old key no longer opens it');
  const db = openDatabase(join(dir, 'trimllm.db'), { key: 'second key' });
  try {
    assert.equal(listDatasets(db).length, 1);
  } finally {
    closeDatabase(db);
  }
  assertNoPlaintext(join(dir, 'trimllm.db'));
});

test('a conversion is refused while another connection has the workspace open (its writes would go to the replaced file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-busy-'));
  workspaceWithRecord(dir, { key: TEST_DB_KEY });
  const other = openDatabase(join(dir, 'trimllm.db'), { key: TEST_DB_KEY });
  try {
    const before = readFileSync(join(dir, 'trimllm.db'));
    assert.throws(() => changeWorkspaceKey(dir, TEST_DB_KEY, 'another key'), /is in use by another process .* stop it and try again/);
    assert.ok(readFileSync(join(dir, 'trimllm.db')).equals(before), 'unchanged');
    assert.equal(listDatasets(other).length, 1, 'the other connection still reads it');
  } finally {
    closeDatabase(other);
  }
  changeWorkspaceKey(dir, TEST_DB_KEY, 'another key');
  closeDatabase(openDatabase(join(dir, 'trimllm.db'), { key: 'another key' }));
});
