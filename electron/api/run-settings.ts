/**
 * The settings of a trim run: the ONE place that states each setting's name, type, default, bounds and help text.
 * Everything else derives from RUN_SETTINGS: the API's `runs.start` (RunSettingsSchema without the CLI-only
 * ones), the CLI's flags, their help and range errors (the CLI's settings-flags.ts), the stored run config
 * (electron/app/run-config.ts toRunConfig), and the renderer's trim form and run summary.
 *
 * Adding a setting is one entry here (plus reading it in toRunConfig when the engine needs it): the flag, the
 * API field, the form field (unless cliOnly) and the help line follow.
 *
 * Help text: plain words first, the paper's term or symbol second, in parentheses.
 */
import { z } from 'zod';
import { parseVariants } from '../../engine/trim/variants.ts';

/** Where a setting appears in the trim form. */
export type SettingGroup = 'trimming' | 'fine-tuning' | 'limits' | 'baselines';

/** How the CLI reads a setting's flag: a number, one of a list, a comma list ('none' = empty), a JSON file, or free text. */
export type FlagKind = 'number' | 'choice' | 'list' | 'json-file' | 'text';

/** One run setting. */
export interface SettingSpec<S extends z.ZodType = z.ZodType> {
  /** Type, bounds and default (zod). */
  schema: S;
  /** CLI flag, without the dashes. */
  flag: string;
  flagKind: FlagKind;
  /** The form's label (plain words). */
  label: string;
  /** One sentence: plain words first, the paper's term second. */
  help: string;
  group: SettingGroup;
  /** Set only from the CLI (not in `runs.start` nor the form). */
  cliOnly?: boolean;
  /** The form's granularity for a number (default: 1 for integers, 0.01 otherwise; 'any' for free numbers). */
  step?: number | 'any';
  /** Words for each choice of an enum setting (short: they must fit the select box). */
  choices?: Record<string, string>;
  /** Where toRunConfig stores it in a run's config, as a dotted path (default: the setting's name). */
  stored?: string;
}

const spec = <S extends z.ZodType>(s: SettingSpec<S>): SettingSpec<S> => s;

/**
 * The baselines a run can measure beside TrimLLM: the fine-tunes and rule-based dropping of paper Table 3, and
 * one-shot pruning by Block Influence (ShortGPT) and angular distance (Gromov et al.), engine/trim/one-shot.ts.
 */
export const BASELINE_NAMES = ['full-finetune', 'sparse-finetune', 'random', 'top', 'bottom', 'block-influence', 'angular'] as const;

/** Every run setting, in form order. */
export const RUN_SETTINGS = {
  target: spec({
    stored: 'targets.keptFraction', schema: z.number().gt(0).lt(1).default(0.5), flag: 'target', flagKind: 'number', group: 'trimming', step: 0.01,
    label: 'Share of sub-layers to keep',
    help: 'Dropping stops once this share of the sub-layers is left, e.g. 0.5 keeps half (target kept fraction)',
  }),
  dropsPerEpoch: spec({
    schema: z.number().int().min(1).max(8).default(1), flag: 'k', flagKind: 'number', group: 'trimming',
    label: 'Sub-layers removed per round',
    help: 'How many sub-layers are removed after each training round; 1 is the gradual default (drops per epoch k)',
  }),
  method: spec({
    schema: z.enum(['both', 'calibration', 'activation']).default('both'), flag: 'method', flagKind: 'choice', group: 'trimming',
    label: 'How importance is judged',
    help: 'How the least useful sub-layer is found: the model\'s quality without it, the size of its output, or quality with output size breaking ties (importance method)',
    choices: { both: 'Both (recommended)', calibration: 'Quality without it', activation: 'Output size' },
  }),
  calibrationSize: spec({
    schema: z.number().int().min(1).max(4096).default(48), flag: 'calibration', flagKind: 'number', group: 'trimming',
    label: 'Records checked per decision',
    help: 'Validation records drawn afresh before each removal to judge importance (calibration set size)',
  }),
  maxEpochs: spec({
    stored: 'targets.maxEpochs', schema: z.number().int().min(1).max(200).default(20), flag: 'max-epochs', flagKind: 'number', group: 'trimming',
    label: 'Most removal rounds',
    help: 'Dropping stops after this many training rounds even if the target is not reached (max epochs)',
  }),
  healEpochs: spec({
    schema: z.number().int().min(0).max(200).optional(), flag: 'heal-epochs', flagKind: 'number', group: 'trimming',
    label: 'Recovery rounds',
    help: 'Training rounds after the last removal; if not set, as many as the removal rounds planned (healing epochs)',
  }),
  paramRatio: spec({
    stored: 'targets.paramRatio', schema: z.number().gt(0).max(1).optional(), flag: 'param-ratio', flagKind: 'number', group: 'trimming', cliOnly: true,
    label: 'Share of memory to keep',
    help: 'Dropping stops once the weights take at most this share of the original memory (parameter ratio)',
  }),
  accuracyFloor: spec({
    stored: 'targets.accuracyFloor', schema: z.number().min(0).max(1).optional(), flag: 'floor', flagKind: 'number', group: 'trimming', cliOnly: true,
    label: 'Quality floor',
    help: 'Dropping stops before validation quality would fall below this share of the reference quality (accuracy floor τ)',
  }),
  floorReference: spec({
    stored: 'targets.floorReference', schema: z.enum(['finetune', 'base']).default('finetune'), flag: 'floor-reference', flagKind: 'choice', group: 'trimming', cliOnly: true,
    label: 'Quality floor reference',
    help: 'What the quality floor compares with: the model after its first round of fine-tuning (finetune, the paper\'s) or the original model (base)',
    choices: { finetune: 'Fine-tuned model', base: 'Original model' },
  }),
  sparseRatio: spec({
    schema: z.number().gt(0).max(1).default(0.25), flag: 'sparse-ratio', flagKind: 'number', group: 'fine-tuning', step: 0.05,
    label: 'Share of sub-layers trained',
    help: 'Only this share of the most important sub-layers is trained, the rest stays frozen (sparse update ratio r)',
  }),
  lr: spec({
    schema: z.number().positive().max(1).default(1e-3), flag: 'lr', flagKind: 'number', group: 'fine-tuning', step: 'any',
    label: 'Learning speed',
    help: 'How big each training step is; it warms up, then falls to a tenth by the last planned round (peak learning rate)',
  }),
  batchSize: spec({
    stored: 'microBatchSize', schema: z.number().int().min(1).max(256).default(8), flag: 'batch', flagKind: 'number', group: 'fine-tuning',
    label: 'Records per step',
    help: 'Training records per step (micro-batch size)',
  }),
  seed: spec({
    schema: z.number().int().min(0).default(0), flag: 'seed', flagKind: 'number', group: 'fine-tuning', // int(): at most 2^53 − 1
    label: 'Random seed',
    help: 'The same seed repeats the same run (seed)',
  }),
  maxTrain: spec({
    stored: 'limits.maxTrain', schema: z.number().int().min(1).default(400), flag: 'max-train', flagKind: 'number', group: 'limits',
    label: 'Training records (most)',
    help: 'At most this many training records per round (train split limit)',
  }),
  maxEval: spec({
    stored: 'limits.maxEval', schema: z.number().int().min(1).default(200), flag: 'max-eval', flagKind: 'number', group: 'limits',
    label: 'Evaluation records (most)',
    help: 'At most this many records in the validation and test measurements (eval split limit)',
  }),
  windowTokens: spec({
    stored: 'limits.windowTokens', schema: z.number().int().min(2).max(65536).default(128), flag: 'window', flagKind: 'number', group: 'limits', cliOnly: true,
    label: 'Text window',
    help: 'Tokens per training window of plain-text data (window length)',
  }),
  templates: spec({
    schema: z.record(z.string(), z.string()).optional(), flag: 'templates', flagKind: 'json-file', group: 'limits', cliOnly: true,
    label: 'Prompt templates',
    help: 'A JSON file of prompt templates per task type, e.g. {"mcq": "Q: {question}\\nA:"} (prompt templates)',
  }),
  variants: spec({
    schema: z.string().max(200).default('').transform((text, ctx) => {
      try {
        return parseVariants(text);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
    flag: 'variants', flagKind: 'text', group: 'trimming', cliOnly: true,
    label: 'Method variants',
    help: 'Comma-separated variants of the schedule, e.g. soft-drop,distill (engine/trim/variants.ts; measured in engine/trim/EXPERIMENTS.md)',
  }),
  baselines: spec({
    schema: z.array(z.enum(BASELINE_NAMES)).default([...BASELINE_NAMES]), flag: 'baselines', flagKind: 'list', group: 'baselines',
    label: 'Models to compare against',
    help: 'Comparison models trained and measured the same way; none for no comparison (baselines, paper Table 3)',
  }),
  baselineEpochs: spec({
    schema: z.number().int().min(1).max(200).optional(), flag: 'baseline-epochs', flagKind: 'number', group: 'baselines',
    label: 'Comparison training rounds',
    help: 'Training rounds of each comparison model; if not set, as many as the trim run (baseline epochs)',
  }),
} as const;

/** A setting's name. */
export type SettingName = keyof typeof RUN_SETTINGS;

type Shape = { [K in SettingName]: (typeof RUN_SETTINGS)[K]['schema'] };

const shape = Object.fromEntries(Object.entries(RUN_SETTINGS).map(([k, s]) => [k, s.schema])) as Shape;

/** Every setting, CLI-only ones included: what toRunConfig takes. */
export const RunSettingsSchema = z.strictObject(shape);

/** A run's settings, defaults filled. */
export type RunSettings = z.output<typeof RunSettingsSchema>;

/** The names of the settings only the CLI sets. */
export const CLI_ONLY_SETTINGS = (Object.keys(RUN_SETTINGS) as SettingName[]).filter((k) => (RUN_SETTINGS[k] as SettingSpec).cliOnly);

type CliOnly = { [K in SettingName]: (typeof RUN_SETTINGS)[K] extends { cliOnly: true } ? K : never }[SettingName];

/** The settings `runs.start` and the trim form take (no CLI-only ones). */
export const ApiRunSettingsSchema = RunSettingsSchema.omit(
  Object.fromEntries(CLI_ONLY_SETTINGS.map((k) => [k, true])) as { [K in CliOnly]: true },
);

/**
 * The range a number setting accepts, for a form field: inclusive bounds at the field's step (an exclusive bound
 * moves in by one step; with step 'any' it is left out).
 */
export function numberBounds(name: SettingName): { min?: number; max?: number; step: number | 'any' } {
  const s = RUN_SETTINGS[name] as SettingSpec;
  const num = (s.schema instanceof z.ZodOptional || s.schema instanceof z.ZodDefault ? s.schema.unwrap() : s.schema) as z.ZodNumber;
  const step = s.step ?? (num.isInt ? 1 : 0.01);
  const inset = typeof step === 'number' ? step : 0;
  const round = (v: number) => (typeof step === 'number' ? Math.round(v / step) * step : v);
  const lo = num.minValue;
  const hi = num.maxValue !== null && num.maxValue < Number.MAX_SAFE_INTEGER ? num.maxValue : null;
  return {
    ...(lo !== null && (inset > 0 || num.safeParse(lo).success) ? { min: round(num.safeParse(lo).success ? lo : lo + inset) } : {}),
    ...(hi !== null && (inset > 0 || num.safeParse(hi).success) ? { max: round(num.safeParse(hi).success ? hi : hi - inset) } : {}),
    step,
  };
}

/** A setting's value in a stored run config (toRunConfig's output), or undefined when absent. */
export function storedSetting(config: unknown, name: SettingName): unknown {
  const path = ((RUN_SETTINGS[name] as SettingSpec).stored ?? name).split('.');
  let v: unknown = config;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}
