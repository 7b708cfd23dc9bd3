/**
 * Disk full and read-only (issue 6, item 2). The data directory is a file system the test makes:
 * - a 3 MiB tmpfs, where the first checkpoints fit and a later one does not: the trim stops with a clear
 *   "disk full … (SQLITE_FULL)" message naming the database, the run is left 'interrupted' at its last good
 *   checkpoint, everything stored earlier loads bit for bit, and once the tmpfs is grown `trimllm resume`
 *   completes the run; in between, the tmpfs remounted read-only makes `resume` fail with a clear message;
 * - a 32 MiB ext4 image on a loop device that turns read-only under the running trim (ext4's
 *   `trigger_fs_error` with errors=remount-ro, what a failing disk does): a clear "read-only" error, the
 *   checkpoints synced before are intact after remounting, and the run resumes to the end.
 * Mounting needs root; the tests skip with the reason otherwise.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { sharedPath, STORIES_BIN, TEST_DB_KEY } from '../helpers/shared.ts';
import { AnnouncedProcess, auditWorkspace, type AuditedCheckpoint } from '../helpers/kill-harness.ts';
import { closeDatabase, getRun, openDatabase } from '../../electron/store/index.ts';

const TRIM_ARGS = ['trim', '--model', STORIES_BIN, '--data', sharedPath('datasets/grimm_fairy_tales'), '--target', '0.7',
  '--heal-epochs', '1', '--baselines', 'none', '--max-train', '24', '--max-eval', '6', '--calibration', '4', '--window', '48',
  '--batch', '4', '--seed', '7'];
const isRoot = process.getuid?.() === 0;

function sh(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function runStatus(dbPath: string): string {
  const db = openDatabase(dbPath, { key: TEST_DB_KEY });
  try {
    return getRun(db, 1)!.status;
  } finally {
    closeDatabase(db);
  }
}

/** The run resumed to its end: completed, integrity ok, `kept` still there unchanged, five checkpoints. */
function resumeToEnd(dir: string, kept: AuditedCheckpoint[]): void {
  const resumed = runCli(['resume', '1', '--data-dir', dir]);
  assert.equal(resumed.status, 0, resumed.stderr);
  const after = auditWorkspace(join(dir, 'trimllm.db'));
  assert.deepEqual(after.problems, []);
  assert.deepEqual(after.checkpoints.slice(0, kept.length), kept, 'checkpoints stored before are unchanged');
  assert.deepEqual(after.checkpoints.map((c) => c.label), ['drop 1: -attn3', 'drop 2: -attn0', 'drop 3: -attn2', 'heal 1', 'done']);
  assert.equal(runStatus(join(dir, 'trimllm.db')), 'completed');
}

/** A clear one-paragraph error: the message, no stack trace. */
function assertClearError(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

test('disk full mid-run: clear SQLITE_FULL error, stopped at the last good checkpoint, nothing earlier damaged; read-only folder: clear error; resume after freeing space', (t: TestContext) => {
  if (!isRoot) {
    t.skip('needs root to mount a tmpfs');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-full-'));
  sh('mount', '-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir);
  t.after(() => sh('umount', '-l', dir));
  const dbPath = join(dir, 'trimllm.db');

  const full = runCli([...TRIM_ARGS, '--data-dir', dir]);
  assert.equal(full.status, 1, full.stderr);
  assertClearError(full.stderr, new RegExp(`disk full: cannot write to ${dbPath.replace(/[.]/g, '\\.')} \\(SQLITE_FULL\\)`));
  const stopped = /run 1 stopped at checkpoint (\d+) "([^"]+)"/.exec(full.stderr);
  assert.ok(stopped, full.stderr);
  const before = auditWorkspace(dbPath);
  assert.deepEqual(before.problems, []);
  assert.ok(before.checkpoints.length >= 1 && before.checkpoints.length < 5, `some checkpoints fit, not all (${before.checkpoints.length})`);
  assert.equal(before.checkpoints.at(-1)!.id, Number(stopped[1]), 'the message names the last good checkpoint');
  assert.equal(before.checkpoints.at(-1)!.label, stopped[2]);
  assert.equal(runStatus(dbPath), 'interrupted');
  t.diagnostic(`tmpfs 3 MiB: stopped after ${before.checkpoints.length} checkpoint(s), at "${stopped[2]}"`);

  // Read-only now: resume refuses clearly, and changes nothing.
  sh('mount', '-o', 'remount,ro', dir);
  const ro = runCli(['resume', '1', '--data-dir', dir]);
  assert.equal(ro.status, 1, ro.stderr);
  assertClearError(ro.stderr, new RegExp(`read-only: cannot write to ${dbPath.replace(/[.]/g, '\\.')}`));

  sh('mount', '-o', 'remount,rw,size=64m', dir);
  resumeToEnd(dir, before.checkpoints);
});

/** Whether this machine can make an ext4 file system on a loop device and make it fail (root, tools, sysfs). */
function loopExt4Unavailable(): string | null {
  if (!isRoot) return 'needs root to attach a loop device';
  for (const tool of ['/usr/sbin/mkfs.ext4', '/usr/sbin/losetup', '/usr/sbin/e2fsck']) if (!existsSync(tool)) return `needs ${tool}`;
  if (!existsSync('/dev/loop-control')) return 'needs loop devices (/dev/loop-control)';
  return null;
}

test('file system turns read-only mid-run: clear read-only error, synced checkpoints intact, resume completes', async (t: TestContext) => {
  const missing = loopExt4Unavailable();
  if (missing) {
    t.skip(missing);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'trimllm-ro-'));
  const image = join(work, 'fs.img');
  const dir = join(work, 'mnt');
  sh('truncate', '-s', '32M', image);
  sh('/usr/sbin/mkfs.ext4', '-q', '-F', image);
  sh('mkdir', dir);
  try {
    sh('mount', '-o', 'loop,errors=remount-ro', image, dir);
  } catch (e) {
    t.skip(`cannot mount a loop device here: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  let mounted = true;
  t.after(() => {
    if (mounted) sh('umount', '-l', dir); // lazy: a failed assertion may leave the trim running there
  });
  const device = basename(sh('findmnt', '-n', '-o', 'SOURCE', dir).trim());
  const trigger = `/sys/fs/ext4/${device}/trigger_fs_error`;
  if (!existsSync(trigger)) {
    t.skip(`needs ${trigger} (ext4 error injection) to make the file system fail`);
    return;
  }

  const proc = new AnnouncedProcess([...TRIM_ARGS, '--data-dir', dir]);
  t.after(() => proc.kill());
  assert.ok(await proc.waitFor('checkpoint-saved drop 1: -attn3'), proc.stderr);
  sh('sync', '-f', join(dir, 'trimllm.db')); // what was stored so far is on the disk
  execFileSync('sh', ['-c', `echo 1 > ${trigger}`]); // the kernel remounts it read-only (errors=remount-ro)
  const exit = await proc.exited;
  assert.equal(exit.code, 1, proc.stderr);
  assertClearError(proc.stderr, new RegExp(`read-only: cannot write to ${join(dir, 'trimllm.db').replace(/[.]/g, '\\.')}`));
  assert.match(proc.stderr, /run 1 stopped at checkpoint 1 "drop 1: -attn3"/);

  // Repair and remount, as a user would after the disk error.
  sh('umount', dir);
  mounted = false;
  try {
    sh('/usr/sbin/e2fsck', '-fy', image);
  } catch {
    // exit 1 = errors corrected
  }
  sh('mount', '-o', 'loop', image, dir);
  mounted = true;
  const before = auditWorkspace(join(dir, 'trimllm.db'));
  assert.deepEqual(before.problems, []);
  assert.equal(before.checkpoints[0]?.label, 'drop 1: -attn3', 'the checkpoint synced before the failure is there');
  for (const c of before.checkpoints) assert.ok(c.hash.length === 64);
  resumeToEnd(dir, before.checkpoints);
});
