/**
 * A run's stored configuration: the one conversion from the user's RunSettings (electron/api/run-settings.ts)
 * to what the engine runs (toRunConfig), and its validation when read back from the database (readRunConfig).
 */
import { z } from 'zod';
import { RUN_SETTINGS, type RunSettings } from '../api/run-settings.ts';
import { FIXED_RUN_SETTINGS, type TrimRunConfig } from '../../engine/trim/pipeline.ts';
import { DEFAULT_TRIM_VARIANTS } from '../../engine/trim/variants.ts';
import type { RunRow } from '../store/index.ts';

/** Data-size limits of a run (kept small for CPUs; stored in the run config). */
export interface RunLimits {
  maxTrain?: number;
  maxEval?: number;
  windowTokens?: number;
}

/** The stored configuration of a run. */
export interface StoredRunConfig extends TrimRunConfig {
  limits: RunLimits;
  /** The user's prompt-template overrides (validated by resolveTemplates), or absent for the defaults. */
  templates?: Record<string, string>;
  reportDir: string | null;
}

/**
 * The stored configuration of a run with these settings; the only place settings become a run config, so the
 * CLI and the API store byte-identical configs for the same settings.
 * @param reportDir where the run's report goes (null: none)
 */
export function toRunConfig(s: RunSettings, reportDir: string | null): StoredRunConfig {
  return {
    ...FIXED_RUN_SETTINGS,
    method: s.method,
    sparseRatio: s.sparseRatio,
    dropsPerEpoch: s.dropsPerEpoch,
    targets: {
      keptFraction: s.target,
      maxEpochs: s.maxEpochs,
      ...(s.paramRatio !== undefined ? { paramRatio: s.paramRatio } : {}),
      ...(s.accuracyFloor !== undefined ? { accuracyFloor: s.accuracyFloor, floorReference: s.floorReference } : {}),
    },
    ...(s.healEpochs !== undefined ? { healEpochs: s.healEpochs } : {}),
    lr: s.lr,
    microBatchSize: s.batchSize,
    calibrationSize: s.calibrationSize,
    seed: s.seed,
    baselines: [...s.baselines],
    variants: s.variants,
    ...(s.baselineEpochs !== undefined ? { baselineEpochs: s.baselineEpochs } : {}),
    limits: { maxTrain: s.maxTrain, maxEval: s.maxEval, windowTokens: s.windowTokens },
    reportDir,
    ...(s.templates !== undefined ? { templates: s.templates } : {}),
  };
}

const S = RUN_SETTINGS;
const unwrap = <T extends z.ZodType>(t: T) => (t instanceof z.ZodDefault || t instanceof z.ZodOptional ? t.unwrap() : t) as z.ZodType;

/**
 * A stored config as read back. Fields added since a row was written take their defaults (fields that were
 * always written are required); unknown fields are dropped.
 */
const StoredRunConfigSchema = z.object({
  method: S.method.schema,
  sparseRatio: S.sparseRatio.schema,
  dropsPerEpoch: S.dropsPerEpoch.schema,
  targets: z.object({
    keptFraction: unwrap(S.target.schema).optional(),
    maxEpochs: unwrap(S.maxEpochs.schema),
    paramRatio: S.paramRatio.schema,
    accuracyFloor: S.accuracyFloor.schema,
    floorReference: S.floorReference.schema.optional(),
  }),
  healEpochs: S.healEpochs.schema,
  lr: unwrap(S.lr.schema),
  warmupSteps: z.number().int().min(0).default(FIXED_RUN_SETTINGS.warmupSteps),
  minLrRatio: z.number().min(0).max(1).default(FIXED_RUN_SETTINGS.minLrRatio),
  microBatchSize: unwrap(S.batchSize.schema),
  accumulationSteps: z.number().int().min(1).default(FIXED_RUN_SETTINGS.accumulationSteps),
  calibrationSize: unwrap(S.calibrationSize.schema),
  seed: unwrap(S.seed.schema),
  baselines: S.baselines.schema,
  variants: z.object({
    softDrop: z.boolean(), healTrainable: z.enum(['all', 'sparse']), distill: z.boolean(),
    lookahead: z.number().int().min(0), lookaheadSteps: z.number().int().min(0),
    healRestart: z.boolean().default(false), // absent in runs stored before the variant: they ran without it
  }).default(DEFAULT_TRIM_VARIANTS),
  baselineEpochs: S.baselineEpochs.schema,
  benchmark: z.object({ promptTokens: z.number().int().min(1), newTokens: z.number().int().min(1), runs: z.number().int().min(1) })
    .default(FIXED_RUN_SETTINGS.benchmark),
  limits: z.object({ maxTrain: unwrap(S.maxTrain.schema).optional(), maxEval: unwrap(S.maxEval.schema).optional(), windowTokens: unwrap(S.windowTokens.schema).optional() }).default({}),
  templates: S.templates.schema,
  reportDir: z.string().nullable().default(null),
});

/**
 * The validated config of a stored run.
 * @throws Error naming the run and the first bad field when the row does not hold a config this version can run
 */
export function readRunConfig(run: Pick<RunRow, 'id' | 'config'>): StoredRunConfig {
  const parsed = StoredRunConfigSchema.safeParse(run.config);
  if (parsed.success) return parsed.data as StoredRunConfig;
  const issue = parsed.error.issues[0]!;
  throw new Error(`run ${run.id}: stored config field "${issue.path.join('.') || '(root)'}": ${issue.message} ` +
    '(written by another version of TrimLLM Studio? start a new run with the same settings)');
}
