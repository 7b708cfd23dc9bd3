/**
 * Trim-run presets. The numbers follow DESIGN.md §1: one sub-layer dropped per epoch (k = 1), sparse update
 * ratio r = 0.25 (the paper's best), calibration sets of tens to ~128 records; the presets differ in how far and
 * how carefully they go.
 */

import { TrimSettingsSchema } from '../../../electron/api/contract.ts';

/** Granularity (and inset from an exclusive bound) of the target kept-fraction field. */
const TARGET_STEP = 0.01;

/**
 * Bounds of the target kept fraction the form offers, read from the contract's TrimSettingsSchema (the one place
 * they are defined): an exclusive bound (the contract has 0 < target < 1) moves in by one step, so the form allows
 * exactly what the API accepts at that granularity (0.01 … 0.99).
 */
export const TARGET_BOUNDS = (() => {
  const schema = TrimSettingsSchema.shape.target.unwrap();
  const lo = schema.minValue ?? 0;
  const hi = schema.maxValue ?? 1;
  const round = (v: number) => Math.round(v / TARGET_STEP) * TARGET_STEP;
  return {
    min: round(schema.safeParse(lo).success ? lo : lo + TARGET_STEP),
    max: round(schema.safeParse(hi).success ? hi : hi - TARGET_STEP),
    step: TARGET_STEP,
  };
})();

/** Baselines the app can run beside TrimLLM (paper Table 3). */
export const BASELINES = [
  { id: 'full-finetune', label: 'Full fine-tune', hint: 'every sub-layer trained, nothing dropped' },
  { id: 'sparse-finetune', label: 'Sparse fine-tune', hint: 'top r·2L sub-layers trained, nothing dropped' },
  { id: 'random', label: 'Random 50%', hint: 'rule-based: random sub-layers dropped, then fine-tuned' },
  { id: 'top', label: 'Top 50%', hint: 'rule-based: the last layers dropped' },
  { id: 'bottom', label: 'Bottom 50%', hint: 'rule-based: the first layers dropped' },
] as const;

/** A baseline id. */
export type BaselineId = (typeof BASELINES)[number]['id'];

/** The trim form's values ('' = left empty: the core's default). */
export interface TrimForm {
  target: number | '';
  sparseRatio: number | '';
  dropsPerEpoch: number | '';
  maxEpochs: number | '';
  healEpochs: number | '';
  method: 'both' | 'calibration' | 'activation';
  lr: number | '';
  batchSize: number | '';
  calibrationSize: number | '';
  seed: number | '';
  baselines: BaselineId[];
  baselineEpochs: number | '';
  maxTrain: number | '';
  maxEval: number | '';
}

/** A named preset. */
export interface Preset {
  id: 'quick' | 'balanced' | 'thorough';
  label: string;
  description: string;
  values: TrimForm;
}

const COMMON = { method: 'both', healEpochs: '', seed: 0, baselineEpochs: '', sparseRatio: 0.25, dropsPerEpoch: 1 } as const;

/** The presets, smallest first. */
export const PRESETS: Preset[] = [
  {
    id: 'quick',
    label: 'Quick look',
    description: 'Minutes on a laptop: keep 75%, few records, no baselines.',
    values: { ...COMMON, target: 0.75, maxEpochs: 4, lr: 1e-3, batchSize: 8, calibrationSize: 16, baselines: [], maxTrain: 64, maxEval: 48 },
  },
  {
    id: 'balanced',
    label: 'Balanced',
    description: 'Keep 50% with the paper’s settings and a full fine-tune to compare against.',
    values: { ...COMMON, target: 0.5, maxEpochs: 20, lr: 1e-3, batchSize: 8, calibrationSize: 48, baselines: ['full-finetune'], maxTrain: 400, maxEval: 200 },
  },
  {
    id: 'thorough',
    label: 'Thorough',
    description: 'Larger calibration set, more data, every baseline: hours on CPU.',
    values: { ...COMMON, target: 0.5, maxEpochs: 40, lr: 5e-4, batchSize: 8, calibrationSize: 128, baselines: BASELINES.map((b) => b.id), maxTrain: 2000, maxEval: 500 },
  },
];

/** The form as the contract's settings (empty fields omitted: the core fills its defaults). */
export function toSettings(form: TrimForm): Record<string, unknown> {
  const out: Record<string, unknown> = { method: form.method, baselines: form.baselines };
  for (const key of ['target', 'sparseRatio', 'dropsPerEpoch', 'maxEpochs', 'healEpochs', 'lr', 'batchSize', 'calibrationSize', 'seed', 'baselineEpochs', 'maxTrain', 'maxEval'] as const) {
    const v = form[key];
    if (v !== '') out[key] = v;
  }
  return out;
}
