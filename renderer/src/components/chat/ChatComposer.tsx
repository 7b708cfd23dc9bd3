/** The message box: Enter sends, Shift+Enter adds a line; Stop while an answer streams. */
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { Button } from '../ui.tsx';

/** The composer; `onSend` resolves false when the message was not accepted (the text is kept). */
export function ChatComposer({ streaming, canStop, onSend, onStop }: { streaming: boolean; canStop: boolean; onSend: (text: string) => Promise<boolean>; onStop: () => void }) {
  const [text, setText] = useState('');
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const content = text.trim();
    if (!content || streaming) return;
    setText('');
    if (!(await onSend(content))) setText(content);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };
  return (
    <form onSubmit={submit} className="flex items-end gap-2" aria-label="Send a message">
      <label htmlFor="chat-input" className="sr-only">
        Message
      </label>
      <textarea
        id="chat-input"
        data-testid="chat-input"
        rows={2}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Ask the model… (Enter to send, Shift+Enter for a new line)"
        className="min-h-[2.75rem] flex-1 resize-y rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
      />
      {streaming ? (
        <Button variant="danger" onClick={onStop} disabled={!canStop} data-testid="chat-stop">
          Stop
        </Button>
      ) : (
        <Button type="submit" variant="primary" disabled={!text.trim()} data-testid="chat-send">
          Send
        </Button>
      )}
    </form>
  );
}
