/**
 * The comparison models of a run (paper Table 3; DESIGN.md §1 "Baselines"): the base model, the full and sparse
 * fine-tunes, rule-based dropping (random, top, bottom) and the one-shot rules scored on the residual stream
 * (Block Influence, angular distance: one-shot.ts), each trained on a fresh copy of the base weights with the same
 * budget, measured on the test split and handed to the sink as a checkpoint (kind, keep mask, changed tensors), so
 * it can be evaluated, chatted with, benchmarked and exported like a TrimLLM checkpoint.
 */
import { fullKeepMask, keptNames, type KeepMask } from '../model/sublayers.ts';
import type { LlamaModel } from '../model/llama.ts';
import { Trainer } from '../train/index.ts';
import type { ReportEntry, ReportEntryKind } from '../report/types.ts';
import { ruleBasedKeepMask } from './baselines.ts';
import { oneShotKeepMask } from './one-shot.ts';
import { calibrationSample, calibrationSequences } from './measure.ts';
import { deriveSeed } from '../random.ts';
import { measureEntry, snapshotSubLayers, startPool, trainEpochs, type BaselineName, type StateTensor, type TrimRunConfig, type TrimRunContext } from './pipeline.ts';

/** A trained baseline, for the sink to store as a checkpoint of the run. */
export interface BaselineCheckpoint {
  /** The baseline, e.g. 'block-influence'. */
  baseline: BaselineName;
  keep: KeepMask;
  /** The sub-layers it trained (their weights are in `tensors`). */
  trainable: boolean[];
  tensors: StateTensor[];
  /** Its measurement on the test split (also passed to onEntry). */
  entry: ReportEntry;
}

/**
 * The kept fraction of the rule-based and one-shot baselines: the size the TrimLLM run ended at (`finalKeep`), so
 * they compare with TrimLLM at the same size even when it stopped before its target (max epochs, the accuracy
 * floor, the parameter ratio); without a TrimLLM run, its target kept fraction, 0.5 when it has none.
 */
export function baselineKeptFraction(config: Pick<TrimRunConfig, 'targets'>, finalKeep: readonly boolean[] | null): number {
  if (finalKeep) return finalKeep.filter(Boolean).length / finalKeep.length;
  return config.targets.keptFraction ?? 0.5;
}

/** Report kind and display name of a baseline. */
export function baselineKind(name: BaselineName, keptFraction: number): { kind: ReportEntryKind; label: string } {
  if (name === 'full-finetune' || name === 'sparse-finetune') return { kind: name, label: name };
  return { kind: `baseline-${name}`, label: `${name} ${Math.round(100 * keptFraction)}% + fine-tune` };
}

/** The keep mask of a baseline on the (untrained) base model; one-shot rules score the calibration sample. */
async function baselineKeepMask(model: LlamaModel, ctx: TrimRunContext, name: BaselineName, kept: number): Promise<KeepMask> {
  const { nLayers } = model.config;
  if (name === 'full-finetune' || name === 'sparse-finetune') return fullKeepMask(nLayers);
  if (name === 'random' || name === 'top' || name === 'bottom') return ruleBasedKeepMask(nLayers, name, 1 - kept, ctx.config.seed);
  const calibration = calibrationSample(ctx.task.validation, ctx.config.calibrationSize, deriveSeed(ctx.config.seed, 0, 7919));
  const drop = Math.round((1 - kept) * 2 * nLayers);
  return oneShotKeepMask(model, calibrationSequences(ctx.tokenizer, calibration, model.config.maxSeqLen), name, drop);
}

/**
 * Measures the base model, then trains, measures and hands over each baseline of the run's config, each on a fresh
 * copy of the base weights for `epochs` epochs.
 * @param trimmed the TrimLLM run's final keep mask (the baselines' size: baselineKeptFraction) and sparse-update
 *   mask; null without a TrimLLM run (no sparse fine-tune, the target size)
 * @param onCheckpoint receives each trained baseline (before its entry goes to the sink's onEntry)
 */
export async function runBaselines(
  ctx: TrimRunContext,
  epochs: number,
  trimmed: { keep: readonly boolean[]; trainable: readonly boolean[] } | null,
  onCheckpoint: (c: BaselineCheckpoint) => void | Promise<void> = () => {},
): Promise<void> {
  const trainable = trimmed?.trainable ?? null;
  const base = await ctx.loadBase();
  try {
    await ctx.sink.onEntry(await measureEntry(base, ctx, 'base', 'base', base.keepMask));
  } finally {
    base.dispose();
  }
  const kept = baselineKeptFraction(ctx.config, trimmed?.keep ?? null);
  for (const name of ctx.config.baselines) {
    if (ctx.signal?.aborted) return;
    if (name === 'sparse-finetune' && !trainable) continue;
    const model = await ctx.loadBase();
    try {
      const keep = await baselineKeepMask(model, ctx, name, kept);
      model.keepMask = keep;
      const trained = name === 'sparse-finetune' ? [...trainable!] : [...keep];
      const pool = await startPool(model, ctx); // data-parallel on the run's threads, as TrimLLM's own steps
      const trainer = new Trainer(model, { trainable: { subLayers: keptNames(trained) }, ...(pool ? { pool } : {}) });
      try {
        ctx.sink.onMessage(`baseline ${name}: ${epochs} epochs${name === 'sparse-finetune' ? '' : `, kept ${keptNames(keep).join(',')}`}`);
        await trainEpochs(model, trainer, ctx, epochs, name);
        const { kind, label } = baselineKind(name, kept);
        const entry = await measureEntry(model, ctx, label, kind, keep, { pool });
        await onCheckpoint({ baseline: name, keep, trainable: trained, tensors: await snapshotSubLayers(model, trained), entry });
        await ctx.sink.onEntry(entry);
      } finally {
        trainer.optimizer.dispose();
        await pool?.dispose();
      }
    } finally {
      model.dispose();
    }
  }
}
