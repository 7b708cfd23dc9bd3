// Issue 11, defect 1: text held back because it could start a stop string is flushed when generation ends for
// another reason (here max tokens), so the streamed pieces always add up to the final text. Smallest input of
// the issue: greedy stories260K from BOS, 60 tokens, stop "high up" (the text ends "…it was too high").
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, type GenerateOptions } from '../../engine/model/generate.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { runCli } from '../helpers/cli.ts';
import { loadStories, STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';

let loaded: LoadedModel;
before(async () => {
  loaded = await loadStories('wasm');
});
after(() => loaded.model.dispose());

async function streamed(options: GenerateOptions) {
  const stream = generate(loaded.model, loaded.tokenizer!, loaded.tokenizer!.encode(''), options);
  const pieces: string[] = [];
  let step = await stream.next();
  while (!step.done) {
    pieces.push(step.value.text);
    step = await stream.next();
  }
  return { text: pieces.join(''), stats: step.value };
}

test('a stop string that never completes: the held-back tail is streamed at the end (max tokens)', async () => {
  const plain = await streamed({ temperature: 0, maxTokens: 60 });
  const stopped = await streamed({ temperature: 0, maxTokens: 60, stopStrings: ['high up'] });
  assert.equal(stopped.stats.reason, 'max_tokens');
  assert.match(stopped.stats.text, /it was too high$/);
  assert.equal(stopped.text, stopped.stats.text, 'the concatenated stream equals the final text');
  assert.equal(stopped.text, plain.text, 'a stop string that never matches changes nothing');
  assert.deepEqual(stopped.stats.tokenIds, plain.stats.tokenIds);
});

test('a completed stop string still cuts the stream and the text at the same place', async () => {
  const stopped = await streamed({ temperature: 0, maxTokens: 60, stopStrings: ['too high'] });
  assert.equal(stopped.stats.reason, 'stop_string');
  assert.match(stopped.text, /but it was $/);
  assert.equal(stopped.text, stopped.stats.text);
});

test('trimllm generate prints the same text with and without a stop string that never completes', () => {
  const args = ['generate', '--model', STORIES_BIN, '--tokenizer', STORIES_TOK, '--temperature', '0', '--max-tokens', '60', '--quiet'];
  const without = runCli(args);
  const withStop = runCli([...args, '--stop', 'high up']);
  assert.equal(without.status, 0, without.stderr);
  assert.equal(withStop.status, 0, withStop.stderr);
  assert.match(withStop.stdout, /it was too high\n$/);
  assert.equal(withStop.stdout, without.stdout);
});

test('trimWhitespace: the stream and the text both leave out the space that opens a reply', async () => {
  const tok = loaded.tokenizer!;
  const run = async (trimWhitespace: boolean) => {
    const stream = generate(loaded.model, tok, tok.encode('User: Hello\nAssistant:'), { maxTokens: 12, trimWhitespace });
    let text = '';
    let step = await stream.next();
    while (!step.done) {
      text += step.value.text;
      step = await stream.next();
    }
    return { text, stats: step.value };
  };
  const raw = await run(false);
  const trimmed = await run(true);
  assert.match(raw.text, /^\s/);
  assert.equal(trimmed.text, trimmed.stats.text);
  assert.equal(trimmed.text, raw.text.trim());
});
