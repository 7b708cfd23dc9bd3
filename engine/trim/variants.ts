/**
 * Named variants of the TrimLLM schedule (issue 15; measured in engine/trim/EXPERIMENTS.md). One group, so the
 * app layer's RunSettings schema (issue 10) can take it over as is. A variant is on by default only where the
 * experiments showed it helps the healed result or the frontier the user picks from.
 */

/** Variants of one run. */
export interface TrimVariants {
  /**
   * Soft dropping (soft-drop.ts): the chosen sub-layer fades 1 → 0 over the next epoch, then is removed. Costs one
   * more drop-phase epoch (the fade of the last drop).
   */
  softDrop: boolean;
  /** What healing trains: every remaining sub-layer ('all') or the sparse-update set ('sparse', paper §3.4). */
  healTrainable: 'all' | 'sparse';
  /**
   * Distillation while healing: the loss adds KL(teacher ‖ student) at temperature 1 on the target tokens, the
   * teacher being the run's own full fine-tune (trained with the full-finetune baseline's settings).
   */
  distill: boolean;
  /**
   * Look-ahead scan (lookahead.ts): the this-many best candidates of the calibration scan are each dropped in turn,
   * the model trained `lookaheadSteps` steps without it and re-scored; the best recovered one is dropped. 0: off.
   */
  lookahead: number;
  /** Training steps of each look-ahead burst. */
  lookaheadSteps: number;
  /**
   * Healing warm restart (SGDR, Loshchilov & Hutter 2017; train/schedule.ts `restartStep`): the drop phase's
   * cosine spans the drop epochs alone and reaches the floor at their end; healing restarts at the peak learning
   * rate, without warm-up, and decays to the floor over the healing epochs. Off (`no-heal-restart`): one cosine
   * over drop + healing epochs, so healing trains near the floor. On by default: healed 5/10 +1.05 ± 0.18 points
   * over 3 seeds on stories260K + Grimm (EXPERIMENTS.md §7).
   */
  healRestart: boolean;
}

/** Defaults (see EXPERIMENTS.md for the evidence behind each). */
export const DEFAULT_TRIM_VARIANTS: TrimVariants = {
  softDrop: false, healTrainable: 'all', distill: false, lookahead: 0, lookaheadSteps: 10, healRestart: true,
};

/**
 * Parses `--variants` text: comma-separated `soft-drop`, `heal-sparse`, `heal-all`, `distill`, `heal-restart`,
 * `lookahead=N`, `lookahead-steps=N`, `no-soft-drop`, `no-distill`, `no-heal-restart` over the defaults.
 * @throws Error naming an unknown item or a bad number
 */
export function parseVariants(text: string, base: TrimVariants = DEFAULT_TRIM_VARIANTS): TrimVariants {
  const v = { ...base };
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, value] = item.split('=');
    if (name === 'soft-drop') v.softDrop = true;
    else if (name === 'no-soft-drop') v.softDrop = false;
    else if (name === 'heal-sparse') v.healTrainable = 'sparse';
    else if (name === 'heal-all') v.healTrainable = 'all';
    else if (name === 'distill') v.distill = true;
    else if (name === 'no-distill') v.distill = false;
    else if (name === 'heal-restart') v.healRestart = true;
    else if (name === 'no-heal-restart') v.healRestart = false;
    else if (name === 'lookahead' || name === 'lookahead-steps') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`variant "${item}": ${name} needs a whole number ≥ 0`);
      if (name === 'lookahead') v.lookahead = n;
      else v.lookaheadSteps = n;
    } else {
      throw new Error(`unknown variant "${item}": use soft-drop, heal-sparse, heal-all, distill, heal-restart, lookahead=N, lookahead-steps=N (or no-soft-drop, no-distill, no-heal-restart)`);
    }
  }
  return v;
}
