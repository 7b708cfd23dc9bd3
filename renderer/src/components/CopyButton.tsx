/** A button that copies a text to the clipboard and says so for two seconds. */
import { useState } from 'react';
import { Button } from './ui.tsx';

/** Copies `text`; `label` names what is copied for screen readers ("Copy the token"). */
export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <Button onClick={() => void copy()} aria-label={label} data-testid={testId}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy it by hand' : 'Copy'}
    </Button>
  );
}
