// The trim form's "Estimate time": the answer's words, and an estimate that goes stale when the form changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METHODS } from '../../electron/api/contract.ts';
import { estimateIsCurrent, estimateWords } from '../../renderer/src/lib/estimate.ts';
import { toSettings, PRESETS } from '../../renderer/src/lib/presets.ts';
import { ESTIMATE_REUSE_MS, RecentEstimates } from '../../electron/app/recent-estimates.ts';
import { ApiRunSettingsSchema } from '../../electron/api/run-settings.ts';

const answer = (fits: boolean) => METHODS['runs.estimate'].response.parse({
  seconds: 8640, uncertainty: 1200, dominant: 'training', phases: [{ name: 'training', seconds: 8640, uncertainty: 1200 }],
  fits, memoryMessage: fits ? null : 'a training step needs about 5.00 GiB … What would fit: a training window of 64 tokens.',
  summary: fits ? "about 2.4 h ± 20.0 min; most of the time goes to fine-tuning the model while it is trimmed; fits this computer's memory"
    : "about 2.4 h ± 20.0 min; most of the time goes to fine-tuning the model while it is trimmed; does not fit this computer's memory: …",
  details: ['fine-tuning the model while it is trimmed: 2.4 h ± 20.0 min'], measuredSeconds: 3.1,
});

test('the estimate in the form\'s words: one sentence, the memory verdict, the phase lines', () => {
  assert.deepEqual(estimateWords(answer(true)), {
    headline: "This run should take about 2.4 h ± 20.0 min; most of the time goes to fine-tuning the model while it is trimmed; fits this computer's memory.",
    fits: true, details: ['fine-tuning the model while it is trimmed: 2.4 h ± 20.0 min'],
  });
  const refused = estimateWords(answer(false));
  assert.equal(refused.fits, false);
  assert.match(refused.headline, /does not fit this computer's memory/);
});

test('an estimate describes the form until a setting, the model or the dataset changes', () => {
  const request = { modelId: 1, datasetId: 2, settings: toSettings(PRESETS[1]!.values) };
  assert.ok(estimateIsCurrent(request, { ...request, settings: toSettings(PRESETS[1]!.values) }));
  assert.ok(!estimateIsCurrent(request, { ...request, settings: toSettings(PRESETS[0]!.values) }));
  assert.ok(!estimateIsCurrent(request, { ...request, datasetId: 3 }));
  assert.ok(!estimateIsCurrent(request, null));
});

test('a run started with the estimated settings reuses the estimate (defaults filled in), for ESTIMATE_REUSE_MS', () => {
  let now = 0;
  const recent = new RecentEstimates(() => now);
  recent.remember({ modelId: 1, datasetId: 2, settings: { target: 0.5 } }, { seconds: 60, uncertainty: 9 });
  const defaults = ApiRunSettingsSchema.parse({ target: 0.5 }); // as the contract passes runs.start's settings
  assert.deepEqual(recent.find({ modelId: 1, datasetId: 2, settings: defaults }), { seconds: 60, uncertainty: 9 }, 'the same settings, spelled out');
  assert.equal(recent.find({ modelId: 1, datasetId: 2, settings: { target: 0.6 } }), undefined);
  assert.equal(recent.find({ modelId: 9, datasetId: 2, settings: { target: 0.5 } }), undefined);
  assert.equal(recent.find({ modelId: 1, datasetId: 2, settings: { target: 7 } }), undefined, 'invalid settings: none (runs.start reports them)');
  now = ESTIMATE_REUSE_MS + 1;
  assert.equal(recent.find({ modelId: 1, datasetId: 2, settings: { target: 0.5 } }), undefined, 'too old: the machine\'s load may have changed');
});
