/**
 * A checkpoint's resume state (the engine's TrimState, stored in checkpoints.resume_state since schema 7),
 * validated when read: a row that does not have the shape this version resumes from fails with a message that
 * names the checkpoint and the field instead of resuming from garbage.
 */
import { z } from 'zod';
import type { TrimState } from '../../engine/trim/progressive.ts';
import type { CheckpointRow } from '../store/index.ts';

const SubLayer = z.string().regex(/^(attn|mlp)\d+$/) as z.ZodType<`attn${number}` | `mlp${number}`>;

const ScoreSchema = z.object({
  subLayer: SubLayer, index: z.number().int().min(0), calibrationPerformance: z.number(), importance: z.number(), activationNorm: z.number(),
});

/** TrimState as stored. `referencePerformance` is absent in rows written before the floor was measured: null. */
export const TrimStateSchema = z.object({
  epochsDone: z.number().int().min(0),
  phase: z.enum(['drop', 'heal', 'done']),
  keep: z.array(z.boolean()).min(2),
  trainable: z.array(z.boolean()).min(2),
  drops: z.array(z.object({ epoch: z.number().int().min(0), subLayer: SubLayer, scores: z.array(ScoreSchema) })),
  healEpochsDone: z.number().int().min(0),
  stopReason: z.enum(['kept_fraction', 'param_ratio', 'accuracy_floor', 'max_epochs', 'nothing_left']).nullable(),
  validation: z.array(z.object({ epoch: z.number().int().min(0), performance: z.number() })),
  referencePerformance: z.number().nullable().default(null),
}).refine((s) => s.keep.length === s.trainable.length, { message: 'keep and trainable masks differ in length' });

/**
 * The resume state of a checkpoint.
 * @returns null when the checkpoint has none (a row that predates resume states)
 * @throws Error naming the checkpoint, its run and the first bad field when the stored state is malformed
 */
export function readResumeState(cp: CheckpointRow): TrimState | null {
  if (cp.resumeState === null) return null;
  const parsed = TrimStateSchema.safeParse(cp.resumeState);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`checkpoint ${cp.id} of run ${cp.runId}: resume state field "${issue.path.join('.') || '(root)'}": ${issue.message} ` +
      '(written by another version of TrimLLM Studio? start a new run from this model instead)');
  }
  return parsed.data;
}
