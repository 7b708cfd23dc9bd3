/**
 * API methods of chats. Messages are persisted (app/chat-turns.ts): the user's when it is sent, the assistant's
 * when its generation ends (with stats {tokens, decodeTokensPerSecond, prefillTokensPerSecond, promptTokens,
 * reason}); a reply stopped early keeps the text generated so far. The reply is generated in the utility worker
 * and streamed as chat.delta events, then chat.done (with the stored message's id) and job.finished.
 *
 * Regenerating deletes the last answer (the assistant messages after the last user message) and generates a new
 * one; editing a user message replaces its text, deletes everything after it (one transaction) and answers the
 * new text. Prompts use only the last of consecutive assistant messages (histories written before regenerate
 * replaced answers may hold several).
 */
import { randomInt } from 'node:crypto';
import { SamplingSchema } from '../api/contract.ts';
import { chatSource, promptMessages, recordReply, recordUserMessage, type ChatTurn, type ReplySampling } from '../app/chat-turns.ts';
import {
  createChat, deleteChat, deleteTrailingAssistantMessages, editUserMessage, getChat, getCheckpoint, getModel, listChatMessages, listChats, type ChatRow,
} from '../store/index.ts';
import { asConflict, ConflictError, NotFoundError } from './errors.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

function requireChat(ctx: ServiceContext, id: number): ChatRow {
  const chat = getChat(ctx.db, id);
  if (!chat) throw new NotFoundError(`no chat ${id} in the workspace`);
  return chat;
}

type ChatMethod = 'chats.list' | 'chats.create' | 'chats.messages' | 'chats.send' | 'chats.regenerate' | 'chats.editMessage' | 'chats.delete' | 'chats.stop';

/** Handlers of chats.*. */
export function chatHandlers(ctx: ServiceContext): Handlers<ChatMethod> {
  const active = new Map<number, string>(); // chat id → job id of its reply being generated

  function samplingFor(chat: ChatRow, given: ReplySampling | undefined): ReplySampling {
    if (given) return given;
    const stored = SamplingSchema.safeParse((chat.settings as { sampling?: unknown }).sampling ?? {});
    return stored.success ? stored.data : SamplingSchema.parse({});
  }

  function requireIdle(chat: ChatRow): void {
    const running = active.get(chat.id);
    if (running) throw new ConflictError(`chat ${chat.id} is already generating a reply (job ${running}); stop it first`);
  }

  function startReply(chat: ChatRow, messages: ChatTurn[], sampling: ReplySampling): string {
    requireIdle(chat);
    const source = chatSource(chat);
    let jobId = '';
    jobId = ctx.runner.generate({ kind: 'chat', source, messages, sampling, seed: randomInt(2 ** 31) }, {
      onDelta: (text) => ctx.events.emit('chat.delta', { jobId, chatId: chat.id, text }),
      onFinished: (status, result, error) => {
        active.delete(chat.id);
        const messageId = result ? recordReply(ctx.db, chat.id, result) : null;
        ctx.events.emit('chat.done', {
          jobId, chatId: chat.id, messageId, reason: result?.reason ?? (error ? `error: ${error.message}` : status),
          tokens: result?.tokens ?? 0, decodeTokensPerSecond: result?.decodeTokensPerSecond ?? 0,
        });
      },
    });
    active.set(chat.id, jobId);
    return jobId;
  }

  return {
    'chats.list': () => listChats(ctx.db).map((c) => ({ id: c.id, title: c.title, checkpointId: c.checkpointId, modelId: c.modelId, updatedAt: c.updatedAt })),
    'chats.create': (req) => {
      if (req.modelId === undefined && req.checkpointId === undefined) throw new ConflictError('a chat needs a modelId or a checkpointId');
      if (req.modelId !== undefined && !getModel(ctx.db, req.modelId)) throw new NotFoundError(`no model ${req.modelId} in the workspace`);
      if (req.checkpointId !== undefined && !getCheckpoint(ctx.db, req.checkpointId)) throw new NotFoundError(`no checkpoint ${req.checkpointId} in the workspace`);
      const title = req.title?.trim() ?? ''; // empty: named after its first message (chats.send)
      const id = createChat(ctx.db, {
        title, modelId: req.modelId ?? null, checkpointId: req.checkpointId ?? null, settings: req.sampling ? { sampling: req.sampling } : {},
      });
      return { id };
    },
    'chats.messages': (req) => {
      requireChat(ctx, req.chatId);
      return listChatMessages(ctx.db, req.chatId).map((m) => ({ id: m.id, role: m.role, content: m.content, stats: m.stats ?? null }));
    },
    'chats.send': (req) => {
      const chat = requireChat(ctx, req.chatId);
      chatSource(chat);
      requireIdle(chat);
      const userMessageId = recordUserMessage(ctx.db, chat, req.content);
      const jobId = startReply(chat, promptMessages(listChatMessages(ctx.db, chat.id)), samplingFor(chat, req.sampling));
      return { jobId, userMessageId };
    },
    'chats.regenerate': (req) => {
      const chat = requireChat(ctx, req.chatId);
      requireIdle(chat);
      const rows = listChatMessages(ctx.db, chat.id);
      const lastUser = rows.findLastIndex((m) => m.role === 'user');
      if (lastUser < 0) throw new ConflictError(`chat ${chat.id} has no user message to answer`);
      deleteTrailingAssistantMessages(ctx.db, chat.id);
      return { jobId: startReply(chat, promptMessages(rows.slice(0, lastUser + 1)), samplingFor(chat, req.sampling)) };
    },
    'chats.editMessage': (req) => {
      const chat = requireChat(ctx, req.chatId);
      chatSource(chat);
      requireIdle(chat);
      const removed = asConflict(() => editUserMessage(ctx.db, chat.id, req.messageId, req.content));
      return { jobId: startReply(chat, promptMessages(listChatMessages(ctx.db, chat.id)), samplingFor(chat, req.sampling)), removed };
    },
    'chats.delete': (req) => {
      const running = active.get(req.chatId);
      if (running) ctx.runner.cancel(running);
      return { ok: deleteChat(ctx.db, req.chatId) };
    },
    // Only generations: a trim job is stopped with runs.cancel.
    'chats.stop': (req) => ({ ok: ctx.runner.activeTrim()?.jobId !== req.jobId && ctx.runner.cancel(req.jobId) }),
  };
}
