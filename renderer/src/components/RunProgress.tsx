/** The live progress of a run (from job.progress events) with Cancel and Resume. */
import type { EventPayload } from '../../../electron/api/contract.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { Button, Spinner } from './ui.tsx';

/** Progress of the latest event; null before the first one. */
export function RunProgress({ status, progress, onCancel, onResume, busy }: {
  status: string;
  progress: EventPayload<'job.progress'> | null;
  onCancel: () => void;
  onResume: () => void;
  busy: boolean;
}) {
  const active = status === 'running' || status === 'queued';
  const resumable = status === 'interrupted';
  return (
    <div className="flex flex-col gap-3">
      {active && progress && (
        <ProgressBar label={`${progress.phase} · epoch ${progress.epoch}${progress.loss !== undefined ? ` · loss ${progress.loss.toFixed(3)}` : ''}`} done={progress.done} total={progress.total} etaSeconds={progress.etaSeconds} />
      )}
      {active && !progress && (
        <div data-testid="progress">
          <Spinner label={status === 'queued' ? 'Queued: waiting for the job runner…' : 'Running: waiting for the next progress report…'} />
        </div>
      )}
      {active && progress?.message && <p className="text-sm text-slate-600" data-testid="progress-message">{progress.message}</p>}
      {!active && <p className="text-sm text-slate-600">{statusText(status)}</p>}
      <div className="flex gap-2">
        {active && (
          <Button variant="danger" onClick={onCancel} busy={busy} data-testid="run-cancel">
            Cancel run
          </Button>
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

function statusText(status: string): string {
  switch (status) {
    case 'completed':
      return 'Finished: pick a checkpoint on the frontier below and open it in chat.';
    case 'interrupted':
      return 'Stopped at a checkpoint (the process was closed or killed). Resume continues from there.';
    case 'cancelled':
      return 'Cancelled before it started. Its settings are below; start a new run from the Trim page.';
    case 'failed':
      return 'Failed (see the error above). Fix the cause, then start a new run from the Trim page; its checkpoints stay usable.';
    default:
      return status;
  }
}
