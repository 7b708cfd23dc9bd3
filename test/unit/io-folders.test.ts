// Folders the app writes into: created level by level, with errors that name the folder, and never the endless
// loop of Node 20's recursive mkdir under /proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFolderCreatable, makeFolder } from '../../engine/io/folders.ts';

test('makeFolder creates the missing levels; checkFolderCreatable leaves nothing behind', () => {
  const root = mkdtempSync(join(tmpdir(), 'trimllm-folders-'));
  const deep = join(root, 'a', 'b', 'c');
  checkFolderCreatable(deep);
  assert.equal(existsSync(join(root, 'a')), false, 'the check removes what it made');
  assert.deepEqual(makeFolder(deep), [join(root, 'a'), join(root, 'a', 'b'), deep]);
  assert.ok(statSync(deep).isDirectory());
  assert.deepEqual(makeFolder(deep), [], 'an existing folder: nothing to make');
});

test('a file in the way, or a file system that takes no folders, is an error naming the folder', { skip: !existsSync('/proc/self') && 'no /proc' }, () => {
  const root = mkdtempSync(join(tmpdir(), 'trimllm-folders-'));
  writeFileSync(join(root, 'file'), 'x');
  assert.throws(() => makeFolder(join(root, 'file', 'report')), new RegExp(`${join(root, 'file')} is a file, not a folder`));
  assert.throws(() => checkFolderCreatable(join(root, 'file')), /is a file, not a folder/);
  assert.throws(() => makeFolder('/proc/trimllm-report/x'), /\/proc\/trimllm-report\/x: cannot create this folder: (\/proc does not accept new folders|no permission)/);
});
