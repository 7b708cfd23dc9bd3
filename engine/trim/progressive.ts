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
  /** Accuracy floor τ: stop before validation P falls below τ · referencePerformance. */
  accuracyFloor?: number;
  /** P of the reference (full fine-tune) the floor is relative to. */
  referencePerformance?: number;
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
  /** Soft dropping: the sub-layer (keep-mask index) chosen to fade out during the next epoch; absent: none. */
  fading?: number | null;
}

/** What an epoch of training is for. */
export interface EpochContext {
  phase: 'drop' | 'heal';
  /** Soft dropping: the sub-layer (keep-mask index) to fade 1 → 0 over this epoch, or null. */
  fading: number | null;
}

/** The work the schedule drives. */
export interface TrimHooks {
  /** Trains one epoch of the kept ∧ trainable sub-layers; returns the mean loss. */
  trainEpoch(epoch: number, keep: KeepMask, trainable: readonly boolean[], context: EpochContext): Promise<number>;
  /** Scores the kept sub-layers on a calibration sample drawn for this epoch. */
  scan(epoch: number, keep: KeepMask): Promise<SubLayerScore[]>;
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
    healEpochsDone: 0, stopReason: null, validation: [],
  };
}

function targetReached(state: TrimState, config: TrimScheduleConfig, hooks: TrimHooks): TrimState['stopReason'] {
  const { targets } = config;
  const kept = state.keep.filter(Boolean).length;
  if (kept <= 1) return 'nothing_left';
  if (targets.keptFraction !== undefined && kept / state.keep.length <= targets.keptFraction + 1e-12) return 'kept_fraction';
  if (targets.paramRatio !== undefined) {
    const full = hooks.paramBytes(state.keep.map(() => true));
    if (hooks.paramBytes(state.keep) / full <= targets.paramRatio + 1e-12) return 'param_ratio';
  }
  const last = state.validation.at(-1);
  if (targets.accuracyFloor !== undefined && targets.referencePerformance !== undefined && last) {
    // The checkpoint that fell below the floor is kept (flagged by the report); no further drops follow.
    if (last.performance < targets.accuracyFloor * targets.referencePerformance) return 'accuracy_floor';
  }
  if (state.epochsDone >= targets.maxEpochs) return 'max_epochs';
  return null;
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
        const trainable = (config.healTrainable ?? 'all') === 'all' ? [...state.keep] : state.trainable;
        state = { ...state, phase: 'heal', stopReason: reason, trainable };
        continue;
      }
      const epoch = state.epochsDone + 1;
      await hooks.trainEpoch(epoch, state.keep, state.trainable, { phase: 'drop', fading });
      let keep = state.keep.map((k, j) => k && j !== fading);
      const drops = [...state.drops];
      const faded = fading === null ? [] : [drops.at(-1)!.subLayer];
      let next: number | null = null;
      const chooseMore = !config.softDrop || targetReached({ ...state, keep }, config, hooks) === null;
      for (let i = 0; chooseMore && i < config.dropsPerEpoch && keep.filter(Boolean).length > 1; i++) {
        const scores = await hooks.scan(epoch, keep);
        const chosen = hooks.choose ? await hooks.choose(epoch, keep, scores) : chooseDrop(scores, config.method);
        drops.push({ epoch, subLayer: chosen.subLayer, scores });
        if (config.softDrop) {
          next = chosen.index; // fades during the next epoch (one at a time: k > 1 is not soft)
          break;
        }
        keep = keep.map((k, j) => k && j !== chosen.index);
      }
      const performance = await hooks.validate(keep);
      state = { ...state, epochsDone: epoch, keep, drops, fading: next, validation: [...state.validation, { epoch, performance }] };
      const removed = config.softDrop ? faded : drops.slice(-config.dropsPerEpoch).map((d) => d.subLayer);
      const removedCount = state.keep.length - keep.filter(Boolean).length;
      await hooks.checkpoint(state, removed.length ? `drop ${removedCount}: -${removed.join(',')}` : `fine-tune 1: ${drops.at(-1)?.subLayer ?? ''} fades next`);
      continue;
    }
    const healEpochs = config.healEpochs ?? (config.softDrop ? state.drops.length : state.drops.length / Math.max(1, config.dropsPerEpoch));
    if (state.healEpochsDone >= healEpochs) {
      state = { ...state, phase: 'done' };
      await hooks.checkpoint(state, 'done');
      continue;
    }
    const epoch = state.epochsDone + 1;
    await hooks.trainEpoch(epoch, state.keep, state.trainable, { phase: 'heal', fading: null });
    state = { ...state, epochsDone: epoch, healEpochsDone: state.healEpochsDone + 1 };
    await hooks.checkpoint(state, `heal ${state.healEpochsDone}`);
  }
  return state;
}
