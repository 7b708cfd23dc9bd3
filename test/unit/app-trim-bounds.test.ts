// The trim form offers exactly what the API accepts: its fields, bounds and presets come from RUN_SETTINGS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiRunSettingsSchema, BASELINE_NAMES, CLI_ONLY_SETTINGS, numberBounds, RUN_SETTINGS } from '../../electron/api/run-settings.ts';
import { BASELINES, FORM_DEFAULTS, FORM_SETTINGS, PRESETS, toSettings } from '../../renderer/src/lib/presets.ts';

test('the form has one field per non-CLI-only setting, the API schema\'s fields exactly', () => {
  assert.deepEqual(FORM_SETTINGS.map((f) => f.name).sort(), Object.keys(ApiRunSettingsSchema.shape).sort());
  assert.deepEqual(Object.keys(RUN_SETTINGS).filter((k) => !FORM_SETTINGS.some((f) => f.name === k)).sort(), [...CLI_ONLY_SETTINGS].sort());
});

test('each number field\'s bounds are accepted by the schema and one step beyond is refused', () => {
  assert.deepEqual(numberBounds('target'), { min: 0.01, max: 0.99, step: 0.01 });
  assert.deepEqual(numberBounds('dropsPerEpoch'), { min: 1, max: 8, step: 1 });
  assert.deepEqual(numberBounds('sparseRatio'), { min: 0.05, max: 1, step: 0.05 });
  for (const { name, spec } of FORM_SETTINGS) {
    if (spec.flagKind !== 'number') continue;
    const b = numberBounds(name);
    const field = ApiRunSettingsSchema.shape[name];
    const step = typeof b.step === 'number' ? b.step : 0;
    if (b.min !== undefined) {
      assert.ok(field.safeParse(b.min).success, `${name} min ${b.min}`);
      if (step) assert.ok(!field.safeParse(b.min - step).success, `${name} below min`);
    }
    if (b.max !== undefined) {
      assert.ok(field.safeParse(b.max).success, `${name} max ${b.max}`);
      if (step) assert.ok(!field.safeParse(b.max + step).success, `${name} above max`);
    }
  }
});

test('the presets start from the schema defaults and are valid API settings', () => {
  assert.deepEqual(toSettings(FORM_DEFAULTS), Object.fromEntries(Object.entries(ApiRunSettingsSchema.parse({})).filter(([, v]) => v !== undefined)));
  const balanced = PRESETS.find((p) => p.id === 'balanced')!;
  assert.deepEqual(ApiRunSettingsSchema.parse(toSettings(balanced.values)), { ...ApiRunSettingsSchema.parse({}), baselines: ['full-finetune'] });
  for (const p of PRESETS) assert.ok(ApiRunSettingsSchema.safeParse(toSettings(p.values)).success, p.id);
});

test('the form offers every baseline the schema accepts, each with words', () => {
  assert.deepEqual(BASELINES.map((b) => b.id), [...BASELINE_NAMES]);
  for (const b of BASELINES) assert.ok(b.label.length > 0 && b.hint.length > 0, b.id);
});
