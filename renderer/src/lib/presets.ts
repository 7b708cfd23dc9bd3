/**
 * The trim form's fields and presets, derived from RUN_SETTINGS (electron/api/run-settings.ts). Presets start from
 * the schema's defaults (DESIGN.md §1: k = 1, r = 0.25, calibration sets of tens to ~128 records) and differ in
 * how far and how carefully they go.
 */

import type { z } from 'zod';
import { ApiRunSettingsSchema, RUN_SETTINGS, type BASELINE_NAMES, type SettingName, type SettingSpec } from '../../../electron/api/run-settings.ts';

type ApiSettings = z.output<typeof ApiRunSettingsSchema>;

/** The settings the trim form edits: every setting of RUN_SETTINGS that is not CLI-only, in schema order. */
export const FORM_SETTINGS = (Object.entries(RUN_SETTINGS) as [SettingName, SettingSpec][])
  .filter(([, s]) => !s.cliOnly)
  .map(([name, spec]) => ({ name: name as keyof ApiSettings, spec }));

/** Baselines the app can run beside TrimLLM: plain words first, the paper's name second (Table 3). */
export const BASELINES: readonly { id: (typeof BASELINE_NAMES)[number]; label: string; hint: string }[] = [
  { id: 'full-finetune', label: 'Whole model fine-tuned', hint: 'every sub-layer trained, nothing removed (full fine-tune)' },
  { id: 'sparse-finetune', label: 'Partly fine-tuned', hint: 'the same share of sub-layers trained, nothing removed (sparse fine-tune)' },
  { id: 'random', label: 'Random removal', hint: 'random sub-layers removed to the same size, then fine-tuned (random)' },
  { id: 'top', label: 'Last layers removed', hint: 'the last layers removed to the same size, then fine-tuned (top)' },
  { id: 'bottom', label: 'First layers removed', hint: 'the first layers removed to the same size, then fine-tuned (bottom)' },
  { id: 'block-influence', label: 'Least-changing parts removed', hint: 'the sub-layers that change the text\'s representation least, removed at once, then fine-tuned (Block Influence, ShortGPT)' },
  { id: 'angular', label: 'Least-changing run of parts removed', hint: 'the run of neighbouring sub-layers whose input and output are most alike, removed at once, then fine-tuned (angular distance)' },
];

/** A baseline id. */
export type BaselineId = (typeof BASELINE_NAMES)[number];

/** The trim form's values: the API's settings, a number field may be '' (left empty: the schema's default). */
export type TrimForm = { [K in keyof ApiSettings]-?: NonNullable<ApiSettings[K]> extends number ? number | '' : NonNullable<ApiSettings[K]> };

/** A named preset. */
export interface Preset {
  id: 'quick' | 'balanced' | 'thorough';
  label: string;
  description: string;
  values: TrimForm;
}

/** The schema's defaults as form values (a setting without a default is left empty). */
export const FORM_DEFAULTS: TrimForm = Object.fromEntries(
  FORM_SETTINGS.map(({ name }) => [name, ApiRunSettingsSchema.shape[name].parse(undefined) ?? '']),
) as TrimForm;

/** The presets, smallest first. */
export const PRESETS: Preset[] = [
  {
    id: 'quick',
    label: 'Quick look',
    description: 'Minutes on a laptop: keep 75%, few records, no baselines.',
    values: { ...FORM_DEFAULTS, target: 0.75, maxEpochs: 4, calibrationSize: 16, baselines: [], maxTrain: 64, maxEval: 48 },
  },
  {
    id: 'balanced',
    label: 'Balanced',
    description: 'Keep 50% with the paper’s settings and a full fine-tune to compare against.',
    values: { ...FORM_DEFAULTS, baselines: ['full-finetune'] },
  },
  {
    id: 'thorough',
    label: 'Thorough',
    description: 'Larger calibration set, more data, every baseline: hours on CPU.',
    values: { ...FORM_DEFAULTS, maxEpochs: 40, lr: 5e-4, calibrationSize: 128, baselines: BASELINES.map((b) => b.id), maxTrain: 2000, maxEval: 500 },
  },
];

/** The form as the API's settings (empty fields omitted: the schema fills their defaults). */
export function toSettings(form: TrimForm): z.input<typeof ApiRunSettingsSchema> {
  return Object.fromEntries(Object.entries(form).filter(([, v]) => v !== '')) as z.input<typeof ApiRunSettingsSchema>;
}
