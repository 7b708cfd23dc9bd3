/**
 * Schema version 5: chats and their messages.
 */
import type { Database } from '../driver.ts';

/** Creates chats and chat_messages. Runs inside the runner's transaction. */
export function updateToSchemaVersion5(db: Database): void {
  db.exec(`
    CREATE TABLE chats (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      title         TEXT NOT NULL DEFAULT '',
      -- the chat outlives the model or checkpoint it was held with
      model_id      INTEGER REFERENCES models (id) ON DELETE SET NULL,
      checkpoint_id INTEGER REFERENCES checkpoints (id) ON DELETE SET NULL,
      settings      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)), -- sampling settings, system prompt
      created_at    REAL NOT NULL,
      updated_at    REAL NOT NULL
    ) STRICT;
    CREATE INDEX chats_by_updated ON chats (updated_at);
    CREATE INDEX chats_by_model ON chats (model_id);
    CREATE INDEX chats_by_checkpoint ON chats (checkpoint_id);

    CREATE TABLE chat_messages (
      id         INTEGER PRIMARY KEY,
      chat_id    INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
      role       TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
      content    TEXT NOT NULL,
      stats      TEXT CHECK (stats IS NULL OR json_valid(stats)), -- e.g. tokens, tokens/s of a reply
      created_at REAL NOT NULL
    ) STRICT;
    CREATE INDEX chat_messages_by_chat ON chat_messages (chat_id);
  `);
}
