/**
 * A button whose action needs confirming (deleting): it opens a modal <dialog> (focus moves into it and stays
 * there, Escape or Cancel closes it) that says what will be lost; Confirm runs `onConfirm`, whose error is shown
 * in the dialog. Test ids: the button's own, then `confirm-dialog`, `confirm-ok`, `confirm-cancel`.
 */
import { useId, useRef, type ReactNode } from 'react';
import { useAction } from '../hooks/useCall.ts';
import { Button, ErrorBox } from './ui.tsx';

/** Props of ConfirmButton. */
export interface ConfirmButtonProps {
  /** The button's text. */
  children: ReactNode;
  /** Accessible name of the button when its text is short (e.g. "Delete run 3"). */
  label?: string;
  /** The dialog's heading, e.g. "Delete run 3?". */
  title: string;
  /** What happens, e.g. "Its checkpoints and measurements are deleted." */
  message: ReactNode;
  /** The confirm button's text (default "Delete"). */
  confirmLabel?: string;
  /** The closing button's text (default "Cancel"); name the choice (e.g. "Keep running") when the action itself is a cancel. */
  dismissLabel?: string;
  /** Runs on confirm; the dialog closes when it resolves, and shows the error when it throws. */
  onConfirm: () => Promise<unknown>;
  testId?: string;
  variant?: 'danger' | 'secondary' | 'ghost';
  disabled?: boolean;
}

/** The button and its dialog. */
export function ConfirmButton({ children, label, title, message, confirmLabel = 'Delete', dismissLabel = 'Cancel', onConfirm, testId, variant = 'ghost', disabled }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const action = useAction();
  const confirm = async () => {
    let ok = false;
    await action.run(async () => {
      await onConfirm();
      ok = true;
    });
    if (ok) dialog.current?.close();
  };
  return (
    <>
      <Button variant={variant} aria-label={label} disabled={disabled} data-testid={testId} onClick={() => { action.setError(null); dialog.current?.showModal(); }}>
        {children}
      </Button>
      <dialog ref={dialog} aria-labelledby={titleId} data-testid="confirm-dialog" className="m-auto w-[28rem] max-w-[90vw] rounded-lg border border-slate-200 p-5 shadow-xl backdrop:bg-slate-900/40">
        <h2 id={titleId} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        <div className="mt-2 text-sm text-slate-700">{message}</div>
        <ErrorBox error={action.error} />
        <div className="mt-4 flex justify-end gap-2">
          <Button autoFocus onClick={() => dialog.current?.close()} data-testid="confirm-cancel">
            {dismissLabel}
          </Button>
          <Button variant="danger" busy={action.busy} onClick={() => void confirm()} data-testid="confirm-ok">
            {confirmLabel}
          </Button>
        </div>
      </dialog>
    </>
  );
}
