/**
 * How many threads the engine uses: the `--threads N` flag / `engine.threads` app setting, carried to engine
 * processes as the TRIMLLM_THREADS environment variable, else the machine's physical cores (hyper-threads share
 * one core's arithmetic units, so a second worker on them gains little and costs a model's worth of memory), else
 * `os.availableParallelism()` where the core topology cannot be read.
 *
 * The count is the total: the main thread plus N − 1 worker threads (pool.ts), each with its own single-threaded
 * backend. Tests run with TRIMLLM_THREADS=1 unless they test parallelism (scripts/run-tests.mjs).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Environment variable carrying the thread count to engine processes. */
export const THREADS_ENV = 'TRIMLLM_THREADS';

/** Largest accepted thread count. */
export const MAX_THREADS = 256;

/**
 * Physical cores from a Linux /proc/cpuinfo text: distinct (physical id, core id) pairs; null when the file
 * lists no core ids (some VMs, other systems).
 */
export function physicalCoresFromCpuinfo(cpuinfo: string): number | null {
  const cores = new Set<string>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (core === undefined) continue;
    cores.add(`${/^physical id\s*:\s*(\d+)/m.exec(block)?.[1] ?? 0}:${core}`);
  }
  return cores.size > 0 ? cores.size : null;
}

/** Physical cores of this machine (/proc/cpuinfo), or os.availableParallelism() when unknown. */
export function physicalCores(): number {
  try {
    return physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')) ?? availableParallelism();
  } catch {
    return availableParallelism();
  }
}

/**
 * Validates a thread count.
 * @throws RangeError naming `source` when it is not an integer in [1, MAX_THREADS]
 */
export function parseThreads(value: string | number, source: string): number {
  const n = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new RangeError(`${source}: threads must be an integer from 1 to ${MAX_THREADS}, got "${value}"`);
  }
  return n;
}

/**
 * The thread count in effect: `requested` (a flag), else TRIMLLM_THREADS, else the physical cores.
 * @throws RangeError on a bad flag or environment value
 */
export function resolveThreads(requested?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (requested !== undefined) return parseThreads(requested, '--threads');
  const fromEnv = env[THREADS_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return parseThreads(fromEnv, THREADS_ENV);
  return physicalCores();
}
