// No network (issue "Trust" §5): import, a trim run, evaluation and a saved chat, each run by the real CLI inside a
// network namespace with no interfaces but a downed loopback (`unshare -n`), with every network system call of the
// process tree recorded by strace. The proof is the record: not one socket or connection outside AF_UNIX (local
// IPC, e.g. tsx's loader pipe) was even attempted. Two controls show the recorder would see one: a plain
// `net.connect`, and the explicit model download, the one feature that is allowed to reach the network when the
// user starts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, sharedPath, STORIES_BIN, TEST_KEY_ENV } from '../helpers/shared.ts';

const available = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const HAVE_STRACE = available('strace', ['-V']);
const HAVE_NETNS = available('unshare', ['-n', 'true']);
const SKIP = !HAVE_STRACE ? 'needs strace (apt-get install strace; .ci/run does)' :
  !HAVE_NETNS ? 'needs unshare -n (root or user namespaces) for an empty network namespace' : false;

interface OfflineRun {
  status: number;
  stdout: string;
  stderr: string;
  /** strace lines of network system calls on anything but AF_UNIX sockets. */
  networkCalls: string[];
}

/** Runs `argv` in an empty network namespace under strace, recording network system calls of the whole tree. */
function runOffline(argv: string[], env: Record<string, string> = {}): OfflineRun {
  const log = join(mkdtempSync(join(tmpdir(), 'trimllm-strace-')), 'network.log');
  const r = spawnSync('unshare', ['-n', 'strace', '-f', '-qq', '--seccomp-bpf', '-e', 'trace=network', '-o', log, ...argv], {
    cwd: repoPath(''), encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...TEST_KEY_ENV, ...env },
  });
  const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.trim() !== '');
  // A call on an AF_UNIX socket names AF_UNIX or a unix path; socketpair() is process-local too.
  const networkCalls = lines.filter((l) => !/AF_UNIX|AF_LOCAL|socketpair\(/.test(l) && /socket\(|connect\(|sendto\(|sendmsg\(|bind\(/.test(l));
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, networkCalls };
}

const trimllm = (...args: string[]): string[] => [process.execPath, repoPath('bin/trimllm.mjs'), ...args];

test('import, trim, eval and chat attempt no network connection (empty netns + strace record)', { skip: SKIP }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-offline-'));
  const data = sharedPath('datasets/grimm_fairy_tales');
  const steps: [string, string[]][] = [
    ['import-model', trimllm('import-model', STORIES_BIN, '--data-dir', dir)],
    ['import-data', trimllm('import-data', data, '--data-dir', dir)],
    ['trim', trimllm('trim', '--model', STORIES_BIN, '--data', data, '--target', '0.8', '--heal-epochs', '0',
      '--baselines', 'none', '--max-train', '8', '--max-eval', '4', '--calibration', '2', '--window', '32', '--batch', '4',
      '--seed', '3', '--data-dir', dir)],
    ['eval', trimllm('eval', '--checkpoint', '1', '--data', data, '--max', '4', '--data-dir', dir)],
    ['chat', trimllm('chat', '--checkpoint', '1', '--message', 'Once upon a time', '--max-tokens', '16', '--save',
      '--data-dir', dir)],
  ];
  for (const [name, argv] of steps) {
    const r = runOffline(argv);
    assert.equal(r.status, 0, `${name} failed offline:\n${r.stderr}`);
    assert.deepEqual(r.networkCalls, [], `${name} attempted network system calls`);
  }
});

test('control: the recorder sees a plain TCP connect attempt', { skip: SKIP }, () => {
  const r = runOffline([process.execPath, '-e',
    "require('node:net').connect(443, '192.0.2.1').on('error', () => {})"]);
  assert.ok(r.networkCalls.some((l) => /connect\(.*AF_INET/.test(l)), `no connect recorded:\n${r.networkCalls.join('\n')}`);
});

test('control: the explicit model download is the code that reaches for the network', { skip: SKIP }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-offline-dl-'));
  const r = runOffline(trimllm('demo', '--data-dir', dir), { HF_ENDPOINT: 'http://192.0.2.1:8080', TRIMLLM_DEMO_MODEL_DIR: '' });
  assert.notEqual(r.status, 0, 'the download cannot succeed without a network');
  assert.ok(r.networkCalls.some((l) => /connect\(.*AF_INET/.test(l)), `no connect recorded:\n${r.networkCalls.join('\n')}`);
  assert.match(r.stderr, /192\.0\.2\.1|unreachable|ENETUNREACH|download/i, 'a clear download error');
});
