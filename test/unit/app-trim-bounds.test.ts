// The Trim page's target field offers exactly what the API accepts (tester: the page capped it at 0.95).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrimSettingsSchema } from '../../electron/api/contract.ts';
import { TARGET_BOUNDS } from '../../renderer/src/lib/presets.ts';

test('the target bounds come from the contract: both ends accepted, one step beyond refused', () => {
  assert.deepEqual(TARGET_BOUNDS, { min: 0.01, max: 0.99, step: 0.01 });
  const accepts = (target: number) => TrimSettingsSchema.safeParse({ target }).success;
  assert.ok(accepts(TARGET_BOUNDS.min) && accepts(TARGET_BOUNDS.max));
  assert.ok(!accepts(TARGET_BOUNDS.min - TARGET_BOUNDS.step) && !accepts(TARGET_BOUNDS.max + TARGET_BOUNDS.step));
});
