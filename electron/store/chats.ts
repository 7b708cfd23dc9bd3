/**
 * Repository of chats with a base model or checkpoint, and their messages.
 */
import { stmt, type Database } from './driver.ts';
import { fromJsonText, nowSeconds, rowId, toJsonText } from './values.ts';

/** Who wrote a message. */
export type ChatRole = 'system' | 'user' | 'assistant';

/** A chat to create. */
export interface NewChat {
  title?: string;
  modelId?: number | null;
  checkpointId?: number | null;
  /** Sampling settings, system prompt… (any JSON value; default {}). */
  settings?: unknown;
}

/** A stored chat (without messages). */
export interface ChatRow {
  id: number;
  title: string;
  /** null when none was given or it has since been deleted. */
  modelId: number | null;
  checkpointId: number | null;
  settings: unknown;
  /** Seconds since the Unix epoch. */
  createdAt: number;
  /** Time of the last message or change, seconds since the Unix epoch. */
  updatedAt: number;
}

/** A stored message. */
export interface ChatMessageRow {
  id: number;
  chatId: number;
  role: ChatRole;
  content: string;
  /** Generation statistics of a reply (tokens, tokens/s…), or null. */
  stats: unknown;
  /** Seconds since the Unix epoch. */
  createdAt: number;
}

interface Row {
  id: number;
  title: string;
  model_id: number | null;
  checkpoint_id: number | null;
  settings: string;
  created_at: number;
  updated_at: number;
}

function toChat(r: Row): ChatRow {
  return {
    id: r.id,
    title: r.title,
    modelId: r.model_id,
    checkpointId: r.checkpoint_id,
    settings: fromJsonText(r.settings, `settings of chat ${r.id}`),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Messages of a chat in order. Exported so a test can check its plan uses `chat_messages_by_chat`. */
export const MESSAGES_BY_CHAT_SQL = `
  SELECT id, chat_id AS chatId, role, content, stats, created_at AS createdAt
  FROM chat_messages WHERE chat_id = ? ORDER BY id`;

/**
 * The time to record as a chat's last activity: now, but strictly after every recorded activity, so "most
 * recent first" never depends on two writes landing in the same clock tick (seconds since the epoch).
 */
function activityTime(db: Database): number {
  const last = stmt<{ t: number | null }>(db, 'SELECT MAX(updated_at) AS t FROM chats').get()?.t ?? 0;
  return Math.max(nowSeconds(), last + 1e-6);
}

/**
 * Creates a chat.
 * @returns its id.
 * @throws Error when settings have no JSON form; SqliteError (FOREIGN KEY) for an unknown model or checkpoint.
 */
export function createChat(db: Database, chat: NewChat = {}): number {
  const now = activityTime(db);
  return rowId(
    stmt(
      db,
      `INSERT INTO chats (title, model_id, checkpoint_id, settings, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(chat.title ?? '', chat.modelId ?? null, chat.checkpointId ?? null,
      toJsonText(chat.settings ?? {}, 'chat settings'), now, now).lastInsertRowid,
  );
}

/** The chat with this id, or undefined. */
export function getChat(db: Database, id: number): ChatRow | undefined {
  const row = stmt<Row>(db, 'SELECT * FROM chats WHERE id = ?').get(id);
  return row && toChat(row);
}

/** All chats, most recently active first. */
export function listChats(db: Database): ChatRow[] {
  return stmt<Row>(db, 'SELECT * FROM chats ORDER BY updated_at DESC, id DESC').all().map(toChat);
}

/**
 * Renames a chat.
 * @throws Error when the chat does not exist.
 */
export function renameChat(db: Database, id: number, title: string): void {
  const result = stmt(db, 'UPDATE chats SET title = ?, updated_at = ? WHERE id = ?').run(title, activityTime(db), id);
  if (result.changes === 0) throw new Error(`chat ${id} does not exist`);
}

/**
 * Appends a message to a chat and bumps the chat's `updatedAt`, in one transaction.
 * @returns the message's id.
 * @throws Error when stats have no JSON form; SqliteError (FOREIGN KEY) when the chat does not exist, (CHECK) on
 *   an unknown role.
 */
export function appendChatMessage(
  db: Database,
  chatId: number,
  message: { role: ChatRole; content: string; stats?: unknown },
): number {
  const stats = message.stats === undefined || message.stats === null ? null : toJsonText(message.stats, 'stats');
  const write = db.transaction(() => {
    const now = activityTime(db);
    const id = rowId(
      stmt(db, 'INSERT INTO chat_messages (chat_id, role, content, stats, created_at) VALUES (?, ?, ?, ?, ?)').run(
        chatId, message.role, message.content, stats, now,
      ).lastInsertRowid,
    );
    stmt(db, 'UPDATE chats SET updated_at = ? WHERE id = ?').run(now, chatId);
    return id;
  });
  return write.immediate();
}

/** Messages of a chat, oldest first. */
export function listChatMessages(db: Database, chatId: number): ChatMessageRow[] {
  return stmt<Omit<ChatMessageRow, 'stats'> & { stats: string | null }>(db, MESSAGES_BY_CHAT_SQL)
    .all(chatId)
    .map((r) => ({ ...r, stats: r.stats === null ? null : fromJsonText(r.stats, `stats of message ${r.id}`) }));
}

/**
 * Deletes a chat and (by cascade) its messages.
 * @returns false when there was no such chat.
 */
export function deleteChat(db: Database, id: number): boolean {
  return stmt(db, 'DELETE FROM chats WHERE id = ?').run(id).changes > 0;
}

/**
 * Replaces the content of user message `messageId` of chat `chatId` and deletes every later message of the chat
 * (the answers to the old text), in one transaction; bumps the chat's `updatedAt`.
 * @returns the number of later messages deleted
 * @throws Error naming the chat and message when the message is not a user message of that chat
 */
export function editUserMessage(db: Database, chatId: number, messageId: number, content: string): number {
  const write = db.transaction(() => {
    const row = stmt<{ role: ChatRole }>(db, 'SELECT role FROM chat_messages WHERE id = ? AND chat_id = ?').get(messageId, chatId);
    if (!row) throw new Error(`chat ${chatId} has no message ${messageId}`);
    if (row.role !== 'user') throw new Error(`message ${messageId} of chat ${chatId} is a ${row.role} message; only user messages can be edited`);
    stmt(db, 'UPDATE chat_messages SET content = ? WHERE id = ?').run(content, messageId);
    const removed = stmt(db, 'DELETE FROM chat_messages WHERE chat_id = ? AND id > ?').run(chatId, messageId).changes;
    stmt(db, 'UPDATE chats SET updated_at = ? WHERE id = ?').run(activityTime(db), chatId);
    return removed;
  });
  return write.immediate();
}

/**
 * Deletes the assistant messages after the last user message of a chat (the answer a regeneration replaces).
 * @returns the number of messages deleted (0 when the chat ends with a user message or has none)
 */
export function deleteTrailingAssistantMessages(db: Database, chatId: number): number {
  return stmt(
    db,
    `DELETE FROM chat_messages WHERE chat_id = ? AND role = 'assistant'
       AND id > coalesce((SELECT max(id) FROM chat_messages WHERE chat_id = ? AND role = 'user'), 0)`,
  ).run(chatId, chatId).changes;
}
