/**
 * One chat's messages and its streaming answer. The answer streams in through chat.delta events (matched by
 * chat id, and by job id once chats.send has returned it: deltas may arrive before the call does) and ends with
 * chat.done (tokens, decode tokens/s); then the stored messages are fetched again.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Response } from '../../../electron/api/contract.ts';
import { useApi, useEvent, useOnReconnect } from '../api/context.tsx';
import { describeError } from '../api/errors.ts';
import { useCall } from './useCall.ts';
import type { Sampling } from '../lib/sampling.ts';

/** A stored (or optimistic, negative id) message. */
export type ChatMessage = Response<'chats.messages'>[number];

/** The answer being streamed. */
export interface PendingAnswer {
  jobId: string | null;
  text: string;
}

/** How the last answer ended. */
export interface AnswerStats {
  tokens: number;
  decodeTokensPerSecond: number;
  reason: string;
}

let optimisticId = -1;

/** State and actions of chat `chatId`. */
export function useChatStream(chatId: number, sampling: Sampling) {
  const api = useApi();
  const stored = useCall('chats.messages', { chatId });
  const reloadStored = stored.reload;
  const [history, setHistory] = useState<ChatMessage[]>([]);
  // The streamed answer lives in a ref (events may arrive faster than renders) mirrored into state for rendering.
  const pendingRef = useRef<PendingAnswer | null>(null);
  const [pending, setPendingState] = useState<PendingAnswer | null>(null);
  const setPending = useCallback((next: PendingAnswer | null) => {
    pendingRef.current = next;
    setPendingState(next);
  }, []);
  const [lastStats, setLastStats] = useState<AnswerStats | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (stored.data) setHistory(stored.data);
  }, [stored.data]);
  useOnReconnect(stored.reload);

  useEvent('chat.delta', (p) => {
    if (p.chatId !== chatId) return;
    const prev = pendingRef.current;
    if (prev && (prev.jobId === null || prev.jobId === p.jobId)) setPending({ jobId: p.jobId, text: prev.text + p.text });
  });
  useEvent('chat.done', (p) => {
    if (p.chatId !== chatId) return;
    const stats = { tokens: p.tokens, decodeTokensPerSecond: p.decodeTokensPerSecond, reason: p.reason };
    setLastStats(stats);
    const prev = pendingRef.current;
    if (prev) {
      const id = p.messageId ?? optimisticId--;
      setHistory((h) => [...h, { id, role: 'assistant', content: prev.text, stats }]);
    }
    setPending(null);
    stored.reload();
  });

  const send = useCallback(
    async (content: string): Promise<boolean> => {
      setError(null);
      setLastStats(null);
      const temp: ChatMessage = { id: optimisticId--, role: 'user', content, stats: null };
      setHistory((h) => [...h, temp]);
      setPending({ jobId: null, text: '' });
      try {
        const res = await api.call('chats.send', { chatId, content, sampling });
        const prev = pendingRef.current;
        if (prev && prev.jobId === null) setPending({ ...prev, jobId: res.jobId });
        return true;
      } catch (e) {
        setHistory((h) => h.filter((m) => m.id !== temp.id));
        setPending(null);
        setError(describeError(e));
        return false;
      }
    },
    [api, chatId, sampling, setPending],
  );

  /** Starts a reply with `call`, after `optimistic` has changed the shown history; undone by a reload on failure. */
  const replyWith = useCallback(
    async (optimistic: (h: ChatMessage[]) => ChatMessage[], call: () => Promise<{ jobId: string }>): Promise<boolean> => {
      setError(null);
      setLastStats(null);
      setHistory(optimistic);
      setPending({ jobId: null, text: '' });
      try {
        const res = await call();
        const prev = pendingRef.current;
        if (prev && prev.jobId === null) setPending({ ...prev, jobId: res.jobId });
        return true;
      } catch (e) {
        setPending(null);
        setError(describeError(e));
        reloadStored();
        return false;
      }
    },
    [reloadStored, setPending],
  );

  // The server deletes the answers after the last user message and generates a new one.
  const regenerate = useCallback(
    () => replyWith((h) => h.slice(0, h.map((m) => m.role).lastIndexOf('user') + 1), () => api.call('chats.regenerate', { chatId, sampling })),
    [api, chatId, sampling, replyWith],
  );

  /** Replaces user message `messageId` with `content`, drops everything after it and answers the new text. */
  const edit = useCallback(
    (messageId: number, content: string) =>
      replyWith(
        (h) => {
          const at = h.findIndex((m) => m.id === messageId);
          return at < 0 ? h : [...h.slice(0, at), { ...h[at], content }];
        },
        () => api.call('chats.editMessage', { chatId, messageId, content, sampling }),
      ),
    [api, chatId, sampling, replyWith],
  );

  const stop = useCallback(async () => {
    if (!pending?.jobId) return;
    try {
      await api.call('chats.stop', { jobId: pending.jobId });
    } catch (e) {
      setError(describeError(e));
    }
  }, [api, pending]);

  return { history, pending, lastStats, error: error ?? stored.error, loading: stored.loading && !stored.data, send, regenerate, edit, stop, reload: stored.reload };
}
