// The job runner's utility-process host (electron/main/utility-host.ts) against a fake utilityProcess.fork:
// fork options, messages queued until the process has spawned, messages in, exit, kill, output lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { utilityWorkerHost } from '../../electron/main/utility-host.ts';

class FakeChild extends EventEmitter {
  pid: number | undefined = undefined;
  posted: unknown[] = [];
  killed = 0;
  stdout = new PassThrough();
  stderr = new PassThrough();
  postMessage(m: unknown) { this.posted.push(m); }
  kill() { this.killed++; return true; }
}

test('utility host: fork options, queue until spawn, messages, exit and kill', async () => {
  const forks: unknown[][] = [];
  let child!: FakeChild;
  const lines: string[] = [];
  const host = utilityWorkerHost((...args) => {
    forks.push(args);
    child = new FakeChild();
    return child as never;
  }, '/app/dist/electron/worker.mjs', (name, line) => lines.push(`${name}: ${line}`));

  const handle = host.start('trim run 3', { TRIMLLM_BACKEND: 'wasm' });
  const [entry, args, options] = forks[0] as [string, string[], { serviceName: string; env: Record<string, string>; stdio: string }];
  assert.equal(entry, '/app/dist/electron/worker.mjs');
  assert.deepEqual(args, []);
  assert.equal(options.serviceName, 'TrimLLM trim run 3');
  assert.equal(options.env.TRIMLLM_BACKEND, 'wasm');
  assert.equal(options.stdio, 'pipe');

  handle.send({ type: 'shutdown' });
  assert.deepEqual(child.posted, [], 'held until the process has spawned');
  child.pid = 4242;
  child.emit('spawn');
  assert.deepEqual(child.posted, [{ type: 'shutdown' }]);
  assert.equal(handle.pid, 4242);

  const received: unknown[] = [];
  handle.onMessage((m) => received.push(m));
  child.emit('message', { type: 'finished', jobId: 'j' });
  assert.deepEqual(received, [{ type: 'finished', jobId: 'j' }]);

  child.stderr.write('warning: slow\n');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(lines, ['trim run 3: warning: slow']);

  const exits: unknown[][] = [];
  handle.onExit((code, signal) => exits.push([code, signal]));
  handle.kill();
  assert.equal(child.killed, 1);
  child.emit('exit', 0);
  assert.deepEqual(exits, [[0, null]]);
  handle.send({ type: 'shutdown' });
  handle.kill();
  assert.equal(child.posted.length, 1, 'nothing is sent after exit');
  assert.equal(child.killed, 1, 'no kill after exit');
});
