// Chat titles come from the first message (tester: chats titled "Run 1 · drop 2: -mlp3 (8/10 kept)").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatTitleFromMessage, CHAT_TITLE_CHARS } from '../../electron/app/chat-title.ts';

test('a chat is titled by its first message, shortened at a word boundary', () => {
  assert.equal(chatTitleFromMessage('  What is the  first-line\ntreatment for otitis?  '), 'What is the first-line treatment for otitis?');
  const long = 'Which of the following antibiotics is preferred for a patient allergic to penicillin with a sore throat?';
  const t = chatTitleFromMessage(long);
  assert.equal(t, 'Which of the following antibiotics is preferred for a…');
  assert.ok(t.length <= CHAT_TITLE_CHARS);
  assert.equal(chatTitleFromMessage(' \n '), 'New chat');
});
