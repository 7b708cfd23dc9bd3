/** Starts `trimllm serve` on a free port for end-to-end tests and returns the page URL with its token. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoPath, TEST_KEY_ENV } from './shared.ts';

/** A running server: its process, the page URL (`http://127.0.0.1:PORT/#token=…`), origin and token. */
export interface Served {
  process: ChildProcess;
  url: string;
  origin: string;
  token: string;
}

/**
 * Spawns `trimllm serve --port 0 --data-dir dataDir` with the tests' workspace key (and `env` on top) and waits
 * for the line naming its address and token file (60 s).
 * @throws Error with the server's output when it exits or prints nothing usable in time
 */
export function startServe(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [repoPath('bin/trimllm.mjs'), 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: repoPath(''), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...TEST_KEY_ENV, ...env },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /TrimLLM Studio at (http:\/\/127\.0\.0\.1:\d+)\/ .*the token is in (\S+)\)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const token = readFileSync(m[2]!, 'utf8').trim();
        resolve({ process: child, url: `${m[1]!}/#token=${token}`, origin: m[1]!, token });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
}
