import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { MAX_THREADS, physicalCoresFromCpuinfo, resolveThreads, THREADS_ENV } from '../../engine/parallel/threads.ts';

const cpu = (physical: number, core: number) => `processor\t: 0\nphysical id\t: ${physical}\ncore id\t\t: ${core}\nflags\t\t: sse\n`;

test('physical cores: distinct (physical id, core id) pairs; hyper-threads of one core count once', () => {
  // 2 sockets × 2 cores × 2 hyper-threads = 8 logical CPUs, 4 cores
  const info = [cpu(0, 0), cpu(0, 0), cpu(0, 1), cpu(0, 1), cpu(1, 0), cpu(1, 0), cpu(1, 1), cpu(1, 1)].join('\n');
  assert.equal(physicalCoresFromCpuinfo(info), 4);
  assert.equal(physicalCoresFromCpuinfo('processor\t: 0\nmodel name\t: x\n'), null, 'no core ids: unknown');
});

test('thread count: flag, then TRIMLLM_THREADS, then the physical cores; bad values name their source', () => {
  assert.equal(resolveThreads(3, { [THREADS_ENV]: '2' }), 3);
  assert.equal(resolveThreads(undefined, { [THREADS_ENV]: '2' }), 2);
  const cores = resolveThreads(undefined, {});
  assert.ok(cores >= 1 && cores <= availableParallelism());
  assert.throws(() => resolveThreads(undefined, { [THREADS_ENV]: 'two' }), /TRIMLLM_THREADS: threads must be an integer from 1 to 256, got "two"/);
  assert.throws(() => resolveThreads(0), /--threads/);
  assert.throws(() => resolveThreads(MAX_THREADS + 1), RangeError);
});
