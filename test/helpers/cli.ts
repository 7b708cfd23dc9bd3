/** Runs the real `trimllm` entry point in a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { repoPath, TEST_KEY_ENV } from './shared.ts';

/** Output of one CLI run. */
export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/trimllm.mjs ...args` from the repository root (timeout 120 s), with the tests' workspace key unless `env` says otherwise. */
export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [repoPath('bin/trimllm.mjs'), ...args], {
    cwd: repoPath(''),
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...TEST_KEY_ENV, ...env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
