// Default chat titles (tester saw "Checkpoint 3 / checkpoint 3").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointChatTitle, modelChatTitle } from '../../renderer/src/lib/chat-title.ts';

test('a checkpoint chat is titled by run, checkpoint label and kept sub-layers; a model chat by the model name', () => {
  const keepMask = [false, true, true, true, false, true, true, true, true, true];
  assert.equal(checkpointChatTitle(1, { label: 'drop 2: -attn0', keepMask }), 'Run 1 · drop 2: -attn0 (8/10 kept)');
  assert.equal(modelChatTitle({ name: 'stories260K.bin' }), 'stories260K.bin');
});
