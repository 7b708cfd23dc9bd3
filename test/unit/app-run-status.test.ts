// The run page's notice: a stop is an amber, resumable pause with its reason; only a failure is red.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latestStep, runStatusNotice } from '../../renderer/src/lib/run-status.ts';

test('a run stopped by the user is an amber notice, not an error; a failed run is red with its reason', () => {
  const stopped = runStatusNotice('interrupted', 'stopped by the user');
  assert.equal(stopped.tone, 'warning');
  assert.match(stopped.text, /you stopped it/);
  assert.doesNotMatch(stopped.text, /closed or killed/, 'the generic cause only when no reason is stored');
  assert.match(runStatusNotice('interrupted', null).text, /closed or killed/);
  assert.match(runStatusNotice('interrupted', 'the trim worker exited (SIGKILL) before the run ended').text, /SIGKILL/);
  const failed = runStatusNotice('failed', 'out of memory');
  assert.equal(failed.tone, 'error');
  assert.match(failed.text, /^Failed: out of memory\./);
  assert.equal(runStatusNotice('completed', null).tone, 'success');
});

test('the latest stored step stands in for live progress', () => {
  assert.equal(latestStep([]), null);
  assert.deepEqual(latestStep([{ step: 2, epoch: 1, loss: 3 }, { step: 7, epoch: 2, loss: 1.5 }, { step: 5, epoch: 2, loss: null }]), { step: 7, epoch: 2, loss: 1.5 });
});
