/**
 * What the run page says about a run's state: a stop (interrupted: by the user, a closed app, a full disk) is a
 * resumable pause shown as a neutral/amber notice with its reason; only a failed run gets the red error. While a run
 * is running without live progress events (another process trains it, or between reports), its latest stored step
 * stands in.
 */

/** How a notice looks: neutral (grey), success (green), warning (amber), error (red). */
export type NoticeTone = 'neutral' | 'success' | 'warning' | 'error';

/** The notice for a run that is not running: its tone and text (the stored `error` is the reason of a stop). */
export function runStatusNotice(status: string, error: string | null | undefined): { tone: NoticeTone; text: string } {
  const reason = error?.trim() ?? '';
  switch (status) {
    case 'completed':
      return { tone: 'success', text: 'Finished: pick a checkpoint on the frontier below and open it in chat.' };
    case 'interrupted': {
      const why = !reason ? 'the process was closed or killed'
        : /stopped by the user|cancel/i.test(reason) ? 'you stopped it' : reason;
      return { tone: 'warning', text: `Paused at its last checkpoint (${why}). Resume continues from there.` };
    }
    case 'cancelled':
      return { tone: 'neutral', text: 'Cancelled before it started. Its settings are below; start a new run from the Trim page.' };
    case 'failed':
      return { tone: 'error', text: `Failed${reason ? `: ${reason}` : ''}. Fix the cause, then start a new run from the Trim page; its checkpoints stay usable.` };
    default:
      return { tone: 'neutral', text: status };
  }
}

/** The latest stored training step of a run (runs.get `events`), or null when none: a stand-in for live progress. */
export function latestStep(events: readonly { step: number; epoch: number; loss: number | null }[]): { step: number; epoch: number; loss: number | null } | null {
  let last: { step: number; epoch: number; loss: number | null } | null = null;
  for (const e of events) if (!last || e.step >= last.step) last = e;
  return last && { step: last.step, epoch: last.epoch, loss: last.loss };
}
