// A rejected request is described by its fields in words (tester saw "invalid request for chats.send
// (sampling.maxTokens: Too big: expected number to be <=4096)").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiCallError, describeError } from '../../renderer/src/api/errors.ts';

test('validation errors name the field in words and the bound, without schema text', () => {
  const e = new ApiCallError('ValidationError', 'invalid request for chats.send', {
    issues: [{ path: 'sampling.maxTokens', message: 'Too big: expected number to be <=4096' }, { path: 'sampling.temperature', message: 'Too small: expected number to be >=0' }],
  });
  assert.equal(describeError(e), 'Please check max tokens: at most 4096; temperature: at least 0.');
  assert.equal(describeError(new ApiCallError('NotFoundError', 'no run 3 in the workspace')), 'no run 3 in the workspace');
});
