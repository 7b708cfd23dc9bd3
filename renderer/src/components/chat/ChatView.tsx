/** One conversation: messages, the streaming answer, stats, Stop, Regenerate and edit-and-resend. */
import { useEffect, useRef, useState } from 'react';
import { useChatStream } from '../../hooks/useChatStream.ts';
import { Button, EmptyState, ErrorBox, Spinner } from '../ui.tsx';
import { MessageBubble, stopReasonText } from './MessageBubble.tsx';
import { ChatComposer } from './ChatComposer.tsx';
import { formatNumber } from '../../lib/format.ts';
import type { Sampling } from '../../lib/sampling.ts';

/** Inline editor of a user message: Ctrl/Cmd+Enter saves and resends, Escape cancels. */
function EditMessage({ initial, onResend, onCancel }: { initial: string; onResend: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const save = () => text.trim() && onResend(text.trim());
  return (
    <form
      className="flex w-full max-w-[80%] flex-col gap-2 self-end"
      aria-label="Edit message"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <label htmlFor="chat-edit" className="text-xs text-slate-600">
        Edit your message — the answers after it are replaced (Ctrl+Enter to resend, Esc to cancel)
      </label>
      <textarea
        id="chat-edit"
        data-testid="chat-edit-input"
        autoFocus
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            save();
          }
        }}
        className="rounded-md border border-slate-300 px-3 py-2 text-sm"
      />
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={!text.trim()} data-testid="chat-edit-resend">
          Save &amp; resend
        </Button>
      </div>
    </form>
  );
}

/**
 * Regenerate replaces the answer; conversations from before it did may hold several consecutive answers: only
 * the latest is shown, with the number of earlier ones (revealed on request).
 */
function collapseAlternatives<T extends { role: string }>(messages: T[], expanded: boolean): { message: T; index: number; hidden: number }[] {
  const out: { message: T; index: number; hidden: number }[] = [];
  messages.forEach((m, index) => {
    const prev = out[out.length - 1];
    if (!expanded && prev && m.role === 'assistant' && prev.message.role === 'assistant') out[out.length - 1] = { message: m, index, hidden: prev.hidden + 1 };
    else out.push({ message: m, index, hidden: 0 });
  });
  return out;
}

/** The view of chat `chatId`. */
export function ChatView({ chatId, sampling, onActivity }: { chatId: number; sampling: Sampling; onActivity: () => void }) {
  const chat = useChatStream(chatId, sampling);
  const [editing, setEditing] = useState<number | null>(null); // id of the user message being edited
  const [showAlternatives, setShowAlternatives] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const streaming = chat.pending !== null;
  const last = chat.history[chat.history.length - 1];

  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chat.history.length, chat.pending?.text]);

  useEffect(() => {
    if (chat.lastStats) onActivity();
  }, [chat.lastStats, onActivity]);

  const send = async (text: string) => {
    const ok = await chat.send(text);
    if (ok) onActivity();
    return ok;
  };

  return (
    <div className="flex h-full min-h-0 flex-col gap-3">
      <ol ref={list} aria-label="Messages" data-testid="chat-messages" className="flex min-h-0 flex-1 flex-col gap-3 overflow-y-auto rounded-lg border border-slate-200 bg-slate-50 p-4">
        {chat.loading && <Spinner label="Loading messages…" />}
        {!chat.loading && chat.history.length === 0 && !streaming && (
          <li className="list-none">
            <EmptyState title="No messages yet">Type a question below. The answer streams in as the model decodes it.</EmptyState>
          </li>
        )}
        {collapseAlternatives(chat.history, showAlternatives).map(({ message: m, index: i, hidden }) =>
          editing === m.id ? (
            <li key={m.id} className="flex list-none flex-col">
              <EditMessage
                initial={m.content}
                onCancel={() => setEditing(null)}
                onResend={(text) => {
                  setEditing(null);
                  void chat.edit(m.id, text).then((ok) => ok && onActivity());
                }}
              />
            </li>
          ) : (
            <MessageBubble key={m.id} role={m.role} content={m.content} stats={m.stats}>
              {m.role === 'user' && m.id > 0 && !streaming && editing === null && (
                <button type="button" className="rounded text-xs text-slate-600 underline-offset-2 hover:underline" onClick={() => setEditing(m.id)} data-testid="chat-edit" aria-label={`Edit message ${i + 1} and resend`}>
                  Edit
                </button>
              )}
              {hidden > 0 && (
                <button type="button" className="text-xs text-slate-600 underline-offset-2 hover:underline" onClick={() => setShowAlternatives(true)} data-testid="chat-show-alternatives">
                  Regenerated · show {hidden} earlier answer{hidden > 1 ? 's' : ''}
                </button>
              )}
            </MessageBubble>
          ),
        )}
        {chat.pending && <MessageBubble role="assistant" content={chat.pending.text} streaming />}
      </ol>
      <div aria-live="polite" className="min-h-5 text-xs text-slate-600" data-testid="chat-status">
        {chat.lastStats && !streaming && (
          <>
            Answer complete: {chat.lastStats.tokens} tokens at <strong>{formatNumber(chat.lastStats.decodeTokensPerSecond)} tokens/s</strong> · {stopReasonText(chat.lastStats.reason)}
          </>
        )}
      </div>
      <ErrorBox error={chat.error} />
      {!streaming && last?.role === 'assistant' && (
        <div>
          <Button onClick={() => void chat.regenerate()} data-testid="chat-regenerate">
            Regenerate answer
          </Button>
        </div>
      )}
      <ChatComposer streaming={streaming} canStop={chat.pending?.jobId != null} onSend={send} onStop={() => void chat.stop()} />
    </div>
  );
}
