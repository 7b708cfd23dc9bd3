/**
 * The live progress of a run (from job.progress events; the latest stored step until one arrives) with Cancel and
 * Resume, or the notice of a run that is not running (a stop is amber with its reason, a failure red).
 */
import type { EventPayload } from '../../../electron/api/contract.ts';
import { latestStep, runStatusNotice, type NoticeTone } from '../lib/run-status.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { Button, Spinner } from './ui.tsx';
import { ConfirmButton } from './ConfirmButton.tsx';

const TONES: Record<NoticeTone, string> = {
  neutral: 'border-slate-200 bg-slate-50 text-slate-700',
  success: 'border-green-200 bg-green-50 text-green-800',
  warning: 'border-amber-200 bg-amber-50 text-amber-900',
  error: 'border-red-200 bg-red-50 text-red-800',
};

/** Progress of the latest event; null before the first one. `error`: the run's stored error (a stop's reason). */
export function RunProgress({ status, error, progress, steps, onCancel, onResume, busy }: {
  status: string;
  error: string | null;
  progress: EventPayload<'job.progress'> | null;
  /** The run's stored training steps (runs.get events). */
  steps: readonly { step: number; epoch: number; loss: number | null }[];
  onCancel: () => void;
  onResume: () => void;
  busy: boolean;
}) {
  const active = status === 'running' || status === 'queued';
  const resumable = status === 'interrupted';
  const stored = active && !progress ? latestStep(steps) : null;
  const notice = runStatusNotice(status, error);
  return (
    <div className="flex flex-col gap-3">
      {active && progress && (
        <ProgressBar label={`${progress.phase} · epoch ${progress.epoch}${progress.loss !== undefined ? ` · loss ${progress.loss.toFixed(3)}` : ''}`} done={progress.done} total={progress.total} etaSeconds={progress.etaSeconds} />
      )}
      {active && !progress && (
        <div data-testid="progress">
          <Spinner
            label={status === 'queued' ? 'Queued: waiting for the job runner…'
              : stored ? `Running: epoch ${stored.epoch} · step ${stored.step}${stored.loss !== null ? ` · loss ${stored.loss.toFixed(3)}` : ''}`
                : 'Running: waiting for the first training step…'}
          />
        </div>
      )}
      {active && progress?.message && <p className="text-sm text-slate-600" data-testid="progress-message">{progress.message}</p>}
      {!active && (
        <p role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="run-notice" data-tone={notice.tone} className={`whitespace-pre-wrap rounded-md border px-3 py-2 text-sm ${TONES[notice.tone]}`}>
          {notice.text}
        </p>
      )}
      <div className="flex gap-2">
        {active && (
          <ConfirmButton variant="danger" title="Cancel this run?" confirmLabel="Cancel run" dismissLabel="Keep running" disabled={busy} testId="run-cancel" onConfirm={async () => onCancel()}
            message="The run stops at its last saved checkpoint; nothing saved is lost, and Resume continues it later.">
            Cancel run
          </ConfirmButton>
        )}
        {resumable && (
          <Button variant="primary" onClick={onResume} busy={busy} data-testid="run-resume">
            Resume from the last checkpoint
          </Button>
        )}
      </div>
    </div>
  );
}
