/** Chat: the stored conversations, a new chat with a checkpoint/model picker, and the selected conversation. */
import { useCallback, useState } from 'react';
import { useApi } from '../api/context.tsx';
import { useCall } from '../hooks/useCall.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { navigate } from '../hooks/useHashRoute.ts';
import { useThrottled } from '../hooks/useThrottle.ts';
import { Button, EmptyState, ErrorBox, PageHeader, Spinner } from '../components/ui.tsx';
import { ChatView } from '../components/chat/ChatView.tsx';
import { NewChatPanel } from '../components/chat/NewChatPanel.tsx';
import { maxTokensLimit, SamplingPanel } from '../components/chat/SamplingPanel.tsx';
import { loadSampling, saveSampling, type Sampling } from '../lib/sampling.ts';
import { formatTime } from '../lib/format.ts';

/** The Chat page: `#/chat`, `#/chat/new`, `#/chat/<id>`. */
export function ChatPage({ chatId, isNew }: { chatId?: number; isNew: boolean }) {
  const api = useApi();
  const chats = useCall('chats.list', {});
  const served = useCall('server.models', {});
  // What a chat talks to, by the names the app shows (the same list /v1 serves).
  const names = new Map((served.data ?? []).map((m) => [m.id, m.name]));
  const contexts = new Map((served.data ?? []).map((m) => [m.id, m.contextTokens]));
  const contextOf = (c: { checkpointId: number | null; modelId: number | null } | undefined): number | null =>
    (c ? contexts.get(c.checkpointId !== null ? `checkpoint-${c.checkpointId}` : `model-${c.modelId}`) : null) ?? null;
  const sourceName = (c: { checkpointId: number | null; modelId: number | null }): string =>
    c.checkpointId !== null ? (names.get(`checkpoint-${c.checkpointId}`) ?? 'a checkpoint') : c.modelId !== null ? `base model ${names.get(`model-${c.modelId}`) ?? ''}`.trim() : 'no model';
  const [sampling, setSamplingState] = useState<Sampling>(loadSampling);
  const setSampling = (s: Sampling) => {
    setSamplingState(s);
    saveSampling(s);
  };
  const reloadList = useThrottled(chats.reload, 1000);
  const onActivity = useCallback(() => reloadList(), [reloadList]);
  const list = [...(chats.data ?? [])].sort((a, b) => b.updatedAt - a.updatedAt);
  const current = list.find((c) => c.id === chatId);
  const showNew = isNew || (chatId === undefined && chats.data !== undefined && list.length === 0);

  return (
    <div className="flex h-[calc(100vh-2.5rem)] min-h-0 flex-col">
      <PageHeader title="Chat" description="Talk to a base model or a trimmed checkpoint. Answers stream as they decode; the decode speed shows when an answer ends." />
      <div className="flex min-h-0 flex-1 gap-4">
        <aside aria-label="Conversations" className="flex w-44 shrink-0 flex-col gap-2 lg:w-64">
          <Button variant="primary" onClick={() => navigate('/chat/new')} data-testid="chat-new">
            + New chat
          </Button>
          <ErrorBox error={chats.error} onRetry={chats.reload} />
          {chats.loading && !chats.data && <Spinner label="Loading chats…" />}
          <ul data-testid="chat-list" className="flex min-h-0 flex-1 flex-col gap-1 overflow-y-auto">
            {list.map((c) => (
              <li key={c.id}>
                <a
                  href={`#/chat/${c.id}`}
                  aria-current={c.id === chatId ? 'page' : undefined}
                  data-testid={`chat-item-${c.id}`}
                  className={`block rounded-md px-3 py-2 text-sm ${c.id === chatId ? 'bg-blue-50 ring-1 ring-blue-200' : 'hover:bg-white'}`}
                >
                  <span className="block truncate font-medium text-slate-900">{c.title || 'New chat'}</span>
                  <span className="block truncate text-xs text-slate-600">
                    {sourceName(c)} · {formatTime(c.updatedAt)}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </aside>
        <section className="flex min-h-0 min-w-0 flex-1 flex-col gap-3">
          {showNew ? (
            <>
              <SamplingPanel value={sampling} onChange={setSampling} />
              <NewChatPanel sampling={sampling} onCreated={(id) => { chats.reload(); navigate(`/chat/${id}`); }} />
            </>
          ) : chatId !== undefined ? (
            <>
              <div className="flex items-center justify-between gap-3">
                <h2 className="min-w-0 truncate text-base font-semibold text-slate-900">{current?.title || 'New chat'}</h2>
                <span className="flex min-w-0 items-center gap-2 text-xs text-slate-600">
                  <span className="min-w-0 truncate" data-testid="chat-source">{current ? `with ${sourceName(current)}` : ''}</span>
                  <ConfirmButton
                    testId="chat-delete"
                    label={`Delete conversation ${current?.title || chatId}`}
                    title="Delete this conversation?"
                    message="Its messages are deleted from the workspace database. The model or checkpoint stays."
                    onConfirm={async () => {
                      await api.call('chats.delete', { chatId });
                      chats.reload();
                      navigate('/chat');
                    }}
                  >
                    Delete
                  </ConfirmButton>
                </span>
              </div>
              <SamplingPanel value={sampling} onChange={setSampling} contextTokens={contextOf(current)} />
              <ChatView key={chatId} chatId={chatId} sampling={{ ...sampling, maxTokens: Math.min(sampling.maxTokens, maxTokensLimit(contextOf(current))) }} onActivity={onActivity} />
            </>
          ) : (
            chats.data && (
              <EmptyState title="Pick a conversation or start a new one">
                Tip: on a run page, “Chat” next to a checkpoint starts a chat with that checkpoint.
              </EmptyState>
            )
          )}
        </section>
      </div>
    </div>
  );
}
