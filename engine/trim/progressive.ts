/**
 * The progressive schedule of TrimLLM (paper §3.2, Proposition 1; DESIGN.md §1): train one epoch, score the
 * remaining sub-layers on a fresh calibration sample, drop the k least important, checkpoint, repeat until a
 * target is met; then heal (keep fine-tuning the trimmed model) and checkpoint again.
 *
 * This file is only the control flow. Training, scanning, validation and checkpointing are injected
 * (TrimHooks), so the schedule can be unit-tested with hand-built hooks and resumed from any checkpointed
 * TrimState: every decision depends only on the state and the seed.
 */
import type { KeepMask, SubLayerName } from '../model/sublayers.ts';
import { chooseDrop, type ImportanceMethod, type SubLayerScore } from './importance.ts';

/** When to stop dropping. Any target reached stops the drop phase. */
export interface TrimTargets {
  /** Stop once kept sub-layers / 2L ≤ this (e.g. 0.5). */
  keptFraction?: number;
  /** Stop once parameter bytes (trimmed / full) ≤ this. */
  paramRatio?: number;
  /**
   * Accuracy floor τ: a drop that would take validation P below τ · reference is not made, and dropping stops.
   * The reference is measured by the run (TrimState.referencePerformance; see `floorReference`).
   */
  accuracyFloor?: number;
  /**
   * What the floor is relative to: 'finetune' (default; the paper's reference): validation P of the model after
   * the first epoch's sparse fine-tune with every sub-layer kept; 'base': validation P of the base model.
   */
  floorReference?: 'finetune' | 'base';
  /** Most drop-phase epochs. */
  maxEpochs: number;
}

/** Settings of one TrimLLM schedule. */
export interface TrimScheduleConfig {
  targets: TrimTargets;
  /** Sub-layers dropped after each epoch (k; paper §A.5 "adaptive" drops more). Default 1. */
  dropsPerEpoch: number;
  /** Importance method; default 'both'. */
  method: ImportanceMethod;
  /** Healing epochs after the last drop; default: as many as the drop phase took. */
  healEpochs?: number;
  /**
   * What healing trains: 'all' remaining sub-layers (default; DESIGN.md §1 measured it best: 34.5% vs 33.2% with
   * r = 0.25 on Grimm) or only the 'sparse' set chosen before fine-tuning.
   */
  healTrainable?: 'all' | 'sparse';
  /**
   * Soft dropping (soft-drop.ts): a chosen sub-layer stays in the keep mask and fades out during the next epoch's
   * training (TrimState.fading), then is removed; the checkpoint after that epoch has it removed. Default false.
   */
  softDrop?: boolean;
}

/** One drop decision, with the scan it was made from. */
export interface DropRecord {
  epoch: number;
  subLayer: SubLayerName;
  scores: SubLayerScore[];
}

/** Everything needed to resume a schedule. Plain data (JSON-serialisable). */
export interface TrimState {
  /** Epochs finished (drop phase and healing together). */
  epochsDone: number;
  /** 'drop' while dropping, 'heal' while healing, 'done' at the end. */
  phase: 'drop' | 'heal' | 'done';
  keep: boolean[];
  /** Sparse-update mask (paper §3.4); dropped sub-layers are never trained whatever it says. */
  trainable: boolean[];
  drops: DropRecord[];
  /** Healing epochs finished. */
  healEpochsDone: number;
  /** Why the drop phase ended (null while it runs). */
  stopReason: 'kept_fraction' | 'param_ratio' | 'accuracy_floor' | 'max_epochs' | 'nothing_left' | null;
  /** Validation P after each drop. */
  validation: { epoch: number; performance: number }[];
  /** P the accuracy floor is relative to (null until measured, or when the run has no floor). */
  referencePerformance: number | null;
  /** Soft dropping: the sub-layer (keep-mask index) chosen to fade out during the next epoch; absent: none. */
  fading?: number | null;
}

/** What an epoch of training is for. */
export interface EpochContext {
  phase: 'drop' | 'heal';
  /** Soft dropping: the sub-layer (keep-mask index) to fade 1 → 0 over this epoch, or null. */
  fading: number | null;
  /** Drop-phase epochs finished before this epoch (while healing: the whole drop phase, however it ended). */
  dropEpochs: number;
}

/** The work the schedule drives. */
export interface TrimHooks {
  /** Trains one epoch of the kept ∧ trainable sub-layers; returns the mean loss. */
  trainEpoch(epoch: number, keep: KeepMask, trainable: readonly boolean[], context: EpochContext): Promise<number>;
  /** Scores the kept sub-layers on a calibration sample drawn afresh for drop `draw` (0-based) of this epoch. */
  scan(epoch: number, keep: KeepMask, draw: number): Promise<SubLayerScore[]>;
  /** P on the validation split for a keep mask. */
  validate(keep: KeepMask): Promise<number>;
  /** Chooses the drop from a scan (default: chooseDrop with the config's method; look-ahead replaces it). */
  choose?(epoch: number, keep: KeepMask, scores: SubLayerScore[]): Promise<SubLayerScore>;
  /** Parameter bytes of a keep mask. */
  paramBytes(keep: KeepMask): number;
  /** Persists the state (and the weights it implies) atomically; called after every epoch. */
  checkpoint(state: TrimState, label: string): Promise<void>;
  /** True when the user asked to stop; the schedule returns after the next checkpoint. */
  stopRequested(): boolean;
}

/** The initial state: everything kept, the given sparse-update mask. */
export function initialTrimState(trainable: readonly boolean[]): TrimState {
  return {
    epochsDone: 0, phase: 'drop', keep: trainable.map(() => true), trainable: [...trainable], drops: [],
    healEpochsDone: 0, stopReason: null, validation: [], referencePerformance: null,
  };
}

/** Epochs a run plans: drop epochs until the kept-fraction target (or max epochs), then healing. */
export interface PlannedEpochs {
  drop: number;
  heal: number;
  /** drop + heal (at least 1): what the learning-rate schedule, the healing default and the ETA are sized for. */
  total: number;
}

/**
 * The one count of a run's epochs. Drop epochs: ⌈(2L − kept target) / k⌉ capped by maxEpochs, where the kept
 * target is ⌊keptFraction · 2L⌋ (at least 1; 1 without a kept-fraction target). Healing: `healEpochs`, default
 * as many as the drop epochs. A parameter-ratio target or an accuracy floor can only end the drop phase earlier.
 * @param subLayers 2L, the model's sub-layer count
 */
export function plannedEpochs(config: Pick<TrimScheduleConfig, 'targets' | 'dropsPerEpoch' | 'healEpochs' | 'softDrop'>, subLayers: number): PlannedEpochs {
  const { keptFraction, maxEpochs } = config.targets;
  const targetKept = keptFraction === undefined ? 1 : Math.floor(keptFraction * subLayers + 1e-9);
  const dropsWanted = Math.max(0, Math.min(subLayers - 1, subLayers - Math.max(1, targetKept)));
  // A soft drop removes one sub-layer per epoch, the last one after one more epoch of fading.
  const dropEpochs = config.softDrop ? (dropsWanted === 0 ? 0 : dropsWanted + 1) : Math.ceil(dropsWanted / Math.max(1, config.dropsPerEpoch));
  const drop = Math.min(maxEpochs, dropEpochs);
  const heal = config.healEpochs ?? drop;
  return { drop, heal, total: Math.max(1, drop + heal) };
}

/** Where an epoch's learning rate sits in the run's schedule (train/schedule.ts): its steps and restart. */
export interface LrSpan {
  /** Optimizer steps the schedule spans. */
  totalSteps: number;
  /** Warm restart step (the first healing step), absent for one cosine over the run. */
  restartStep?: number;
}

/**
 * The learning-rate span of an epoch: one cosine over the planned epochs, or with `healRestart` (variants.ts) two
 * cycles: the planned drop epochs, then the healing epochs from the step where healing actually starts (an
 * accuracy floor or a memory target can end the drop phase early). Assumes every epoch takes `stepsPerEpoch`
 * optimizer steps (as trainEpoch does).
 * @param dropEpochs drop-phase epochs finished (EpochContext.dropEpochs)
 */
export function lrSpan(planned: PlannedEpochs, stepsPerEpoch: number, healRestart: boolean, phase: 'drop' | 'heal', dropEpochs: number): LrSpan {
  if (!healRestart || planned.heal === 0) return { totalSteps: planned.total * stepsPerEpoch };
  const restartEpoch = phase === 'heal' ? dropEpochs : planned.drop;
  if (restartEpoch === 0) return { totalSteps: planned.heal * stepsPerEpoch }; // nothing to drop: healing is the run
  return { totalSteps: (restartEpoch + planned.heal) * stepsPerEpoch, restartStep: restartEpoch * stepsPerEpoch };
}

/**
 * What healing trains: every remaining sub-layer by default (DESIGN.md §1 measured it best: 34.5% vs 33.2% with
 * r = 0.25 on Grimm), or the sparse set kept from before with healTrainable 'sparse'.
 */
function healTrainable(config: TrimScheduleConfig, keep: KeepMask, sparse: readonly boolean[]): boolean[] {
  return (config.healTrainable ?? 'all') === 'all' ? [...keep] : sparse.map((t, j) => t && keep[j]!);
}

/** The size target (kept fraction or parameter ratio) a keep mask meets, or null. */
function sizeTargetReached(keep: KeepMask, targets: TrimTargets, hooks: TrimHooks): 'kept_fraction' | 'param_ratio' | 'nothing_left' | null {
  const kept = keep.filter(Boolean).length;
  if (kept <= 1) return 'nothing_left';
  if (targets.keptFraction !== undefined && kept / keep.length <= targets.keptFraction + 1e-12) return 'kept_fraction';
  if (targets.paramRatio !== undefined && hooks.paramBytes(keep) / hooks.paramBytes(keep.map(() => true)) <= targets.paramRatio + 1e-12) {
    return 'param_ratio';
  }
  return null;
}

function targetReached(state: TrimState, config: TrimScheduleConfig, hooks: TrimHooks): TrimState['stopReason'] {
  return sizeTargetReached(state.keep, config.targets, hooks) ?? (state.epochsDone >= config.targets.maxEpochs ? 'max_epochs' : null);
}

/**
 * Runs (or resumes) the schedule from `state` to the end, or until stopRequested().
 * @returns the last state (phase 'done' unless stopped early)
 */
export async function runTrimSchedule(start: TrimState, config: TrimScheduleConfig, hooks: TrimHooks): Promise<TrimState> {
  let state = structuredClone(start);
  while (state.phase !== 'done') {
    if (hooks.stopRequested()) return state;
    if (state.phase === 'drop') {
      const fading = state.fading ?? null;
      const reason = fading === null ? targetReached(state, config, hooks) : null;
      if (reason) {
        state = { ...state, phase: 'heal', stopReason: reason, trainable: healTrainable(config, state.keep, state.trainable) };
        continue;
      }
      const epoch = state.epochsDone + 1;
      await hooks.trainEpoch(epoch, state.keep, state.trainable, { phase: 'drop', fading, dropEpochs: state.epochsDone });
      const floor = config.targets.accuracyFloor;
      if (floor !== undefined && state.referencePerformance === null && config.targets.floorReference !== 'base') {
        state = { ...state, referencePerformance: await hooks.validate(state.keep) };
      }
      let keep = state.keep.map((k, j) => k && j !== fading);
      const drops = [...state.drops];
      const dropsBefore = drops.length;
      const faded = fading === null ? [] : [drops.at(-1)!.subLayer];
      let next: number | null = null;
      let performance: number | null = null;
      let stopReason: TrimState['stopReason'] = null;
      // k drops, each scored on its own calibration sample; never past a size target, never below the floor. A
      // soft drop chooses one sub-layer to fade during the next epoch, and none once the target is met or this
      // epoch is the last one maxEpochs allows (the fade would need one more).
      const lastSoftEpoch = config.softDrop && epoch >= config.targets.maxEpochs;
      for (let draw = 0; draw < config.dropsPerEpoch && !lastSoftEpoch && !sizeTargetReached(keep, config.targets, hooks); draw++) {
        const scores = await hooks.scan(epoch, keep, draw);
        const chosen = hooks.choose ? await hooks.choose(epoch, keep, scores) : chooseDrop(scores, config.method);
        const without = keep.map((k, j) => k && j !== chosen.index);
        if (floor !== undefined && state.referencePerformance !== null) {
          const p = await hooks.validate(without);
          if (p < floor * state.referencePerformance) {
            stopReason = 'accuracy_floor';
            break;
          }
          if (!config.softDrop) performance = p;
        }
        drops.push({ epoch, subLayer: chosen.subLayer, scores });
        if (config.softDrop) {
          next = chosen.index; // fades during the next epoch (one at a time: k > 1 is not soft)
          break;
        }
        keep = without;
      }
      performance ??= await hooks.validate(keep);
      state = { ...state, epochsDone: epoch, keep, drops, fading: next, validation: [...state.validation, { epoch, performance }] };
      if (stopReason) state = { ...state, phase: 'heal', stopReason, trainable: healTrainable(config, keep, state.trainable) };
      const removed = config.softDrop ? faded : drops.slice(dropsBefore).map((d) => d.subLayer);
      const removedCount = keep.length - keep.filter(Boolean).length;
      const label = removed.length
        ? `drop ${removedCount}: -${removed.join(',')}`
        : stopReason ? `epoch ${epoch}: floor reached, nothing dropped` : `fine-tune 1: ${drops.at(-1)?.subLayer ?? ''} fades next`;
      await hooks.checkpoint(state, label);
      continue;
    }
    const healEpochs = plannedEpochs(config, state.keep.length).heal;
    if (state.healEpochsDone >= healEpochs) {
      state = { ...state, phase: 'done' };
      await hooks.checkpoint(state, 'done');
      continue;
    }
    const epoch = state.epochsDone + 1;
    await hooks.trainEpoch(epoch, state.keep, state.trainable, { phase: 'heal', fading: null, dropEpochs: state.epochsDone - state.healEpochsDone });
    state = { ...state, epochsDone: epoch, healEpochsDone: state.healEpochsDone + 1 };
    await hooks.checkpoint(state, `heal ${state.healEpochsDone}`);
  }
  return state;
}
