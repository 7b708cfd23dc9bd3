/**
 * Chat turns, for every face: the conversation as the model sees it, generating the next reply (streamed in text
 * pieces, with the model's chat template or the plain User:/Assistant: format), and persisting the messages: the
 * user's when it is sent, the assistant's in one write when its generation ends (with its statistics).
 */
import { generate } from '../../engine/model/generate.ts';
import { renderChatPrompt } from '../../engine/data/chat-prompt.ts';
import type { LlamaModel } from '../../engine/model/llama.ts';
import type { ChatMessage, Tokenizer } from '../../engine/io/tokenizer.ts';
import { appendChatMessage, listChatMessages, renameChat, type ChatMessageRow, type ChatRow, type Database } from '../store/index.ts';
import { chatTitleFromMessage } from './chat-title.ts';
import { ConflictError } from './errors.ts';

/** Where a reply's weights come from: a base model or a checkpoint of a run. */
export type ModelSource = { modelId: number } | { checkpointId: number };

/** Sampling of a reply (the contract's SamplingSchema after defaults). */
export interface ReplySampling {
  /** Softmax temperature; 0 = greedy. */
  temperature: number;
  /** Top-k (0 = off). */
  topK: number;
  /** Nucleus top-p in [0, 1] (0 = greedy, 1 = off). */
  topP: number;
  /** CTRL repetition penalty (1 = off). */
  repetitionPenalty: number;
  /** Most new tokens. */
  maxTokens: number;
}

/** A generated reply and its statistics. */
export interface ReplyResult {
  /** The whole reply. */
  text: string;
  /** Tokens generated. */
  tokens: number;
  /** Tokens of the prompt as given to the model (after dropping old turns that did not fit). */
  promptTokens: number;
  /** Why generation ended: max_tokens, stop_token, stop_string, context_full or aborted. */
  reason: string;
  /** Decode throughput, tokens/s (batch 1). */
  decodeTokensPerSecond: number;
  /** Prefill throughput, tokens/s. */
  prefillTokensPerSecond: number;
}

/** One message of a conversation as the model sees it. */
export type ChatTurn = Pick<ChatMessageRow, 'role' | 'content'>;

/** The conversation as the model sees it: consecutive assistant messages collapse to the last one. */
export function promptMessages(rows: readonly ChatMessageRow[]): ChatTurn[] {
  const out: ChatTurn[] = [];
  for (const r of rows) {
    if (r.role === 'assistant' && out.at(-1)?.role === 'assistant') out.pop();
    out.push({ role: r.role, content: r.content });
  }
  return out;
}

/**
 * The model or checkpoint a stored chat talks to.
 * @throws ConflictError when both were deleted
 */
export function chatSource(chat: ChatRow): ModelSource {
  if (chat.checkpointId !== null) return { checkpointId: chat.checkpointId };
  if (chat.modelId !== null) return { modelId: chat.modelId };
  throw new ConflictError(`chat ${chat.id} has no model or checkpoint any more (it was deleted); start a new chat`);
}

/**
 * Stores the user's message; a chat without a title and without an earlier user message is named after it.
 * @returns the message id
 */
export function recordUserMessage(db: Database, chat: ChatRow, content: string): number {
  if (chat.title === '' && !listChatMessages(db, chat.id).some((m) => m.role === 'user')) renameChat(db, chat.id, chatTitleFromMessage(content));
  return appendChatMessage(db, chat.id, { role: 'user', content });
}

/**
 * Stores a finished reply with its statistics (an empty reply is not stored).
 * @returns the message id, or null when nothing was stored (empty, or the chat was deleted while it generated)
 */
export function recordReply(db: Database, chatId: number, reply: ReplyResult): number | null {
  if (reply.text === '') return null;
  try {
    return appendChatMessage(db, chatId, {
      role: 'assistant', content: reply.text,
      stats: { tokens: reply.tokens, decodeTokensPerSecond: reply.decodeTokensPerSecond, prefillTokensPerSecond: reply.prefillTokensPerSecond, promptTokens: reply.promptTokens, reason: reply.reason },
    });
  } catch {
    return null; // The chat was deleted while it generated.
  }
}

/**
 * The prompt ids of the next reply. Old turns (after any system message) are left out, oldest first, until the
 * prompt leaves room for at least min(maxTokens, a quarter of the context) new tokens.
 * @throws Error when even the last message alone does not fit
 */
export function fitPrompt(tokenizer: Tokenizer, messages: ChatMessage[], maxSeqLen: number, maxTokens: number) {
  const room = Math.min(maxTokens, Math.floor(maxSeqLen / 4));
  const turns = [...messages];
  for (;;) {
    const prompt = renderChatPrompt(tokenizer, turns);
    const ids = tokenizer.encode(prompt.text, { addSpecialTokens: prompt.addSpecialTokens });
    if (ids.length + room <= maxSeqLen && ids.length > 0) return { ids, prompt };
    const first = turns.findIndex((m) => m.role !== 'system');
    if (first < 0 || turns.filter((m) => m.role !== 'system').length <= 1) {
      throw new Error(`the message is ${ids.length} tokens long; this model's context holds ${maxSeqLen} (shorten it)`);
    }
    turns.splice(first, 1);
  }
}

/** How a reply is generated besides its sampling. */
export interface ReplyOptions {
  /** Seed of the sampler. */
  seed: number;
  /** Extra strings that end the reply (besides the chat template's own). */
  stop?: string[];
  /** Stops generation after the current token. */
  signal?: AbortSignal;
  /** Receives each non-empty piece of text; the pieces add up to the result's text. */
  onDelta(text: string): void;
}

/**
 * Generates the next assistant message of `messages` (both ends without whitespace).
 * @returns the reply (reason 'aborted' when `signal` stopped it)
 * @throws Error when even the last message alone does not fit the model's context
 */
export async function generateReply(model: LlamaModel, tokenizer: Tokenizer, messages: ChatMessage[], sampling: ReplySampling, options: ReplyOptions): Promise<ReplyResult> {
  const { ids, prompt } = fitPrompt(tokenizer, messages, model.config.maxSeqLen, sampling.maxTokens);
  const s = sampling;
  const stream = generate(model, tokenizer, ids, {
    temperature: s.temperature, topK: s.topK, topP: s.topP, repetitionPenalty: s.repetitionPenalty,
    maxTokens: s.maxTokens, seed: options.seed, stopStrings: [...prompt.stopStrings, ...(options.stop ?? [])],
    ...(options.signal ? { signal: options.signal } : {}), trimWhitespace: true,
  });
  for (;;) {
    const step = await stream.next();
    if (step.done) {
      const stats = step.value;
      return {
        text: stats.text, tokens: stats.tokenIds.length, promptTokens: ids.length, reason: stats.reason,
        decodeTokensPerSecond: stats.decodeTokensPerSecond, prefillTokensPerSecond: stats.prefillTokensPerSecond,
      };
    }
    if (step.value.text !== '') options.onDelta(step.value.text);
  }
}
