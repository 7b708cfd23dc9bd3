// Regression cases of the fuzz tests: the minimal inputs (as fast-check shrank them) of every failure found, each
// of which crashed with a TypeError/RangeError, froze the process, or threw an error naming no file before its fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLlama2c } from '../../engine/io/llama2c.ts';
import { parseLlama2cTokenizer } from '../../engine/io/llama2c-tokenizer.ts';
import { parseHfTokenizerFiles } from '../../engine/io/hf-tokenizer.ts';
import { parseConfigJsonText, parseHfConfig } from '../../engine/io/hf-config.ts';
import { InputFileError } from '../../engine/io/errors.ts';
import { DatasetMappingError } from '../../engine/data/errors.ts';
import { importRead } from '../../engine/data/import.ts';
import { parseDatasetBytes } from '../../engine/data/read-path.ts';
import { parseParquet } from '../../engine/data/read-parquet.ts';
import { writeParquet } from '../helpers/parquet.ts';

const inputError = (file: string, problem: RegExp) => (e: unknown) => {
  assert.ok(e instanceof InputFileError, `expected InputFileError, got ${String(e)}`);
  assert.ok(e.message.startsWith(`${file}: `), e.message);
  assert.match(e.message, problem);
  return true;
};

test('llama2.c header whose dim is not a multiple of n_heads (validateConfig threw a plain Error)', () => {
  const header = new Int32Array([8, 12, 2, 3, 1, 16, 4]);
  assert.throws(() => parseLlama2c(new Uint8Array(header.buffer), 'm.bin'), inputError('m.bin', /headDim|positive integer|not a model file this app can read/));
});

test('llama2.c tokenizer read for a vocabulary of 0 tokens (encode gave BOS id 1 outside it)', () => {
  const bytes = Uint8Array.from([1, 0, 0, 0]);
  assert.throws(() => parseLlama2cTokenizer(bytes, 't.bin', 0), inputError('t.bin', /vocabulary of 0 tokens/));
});

test('llama2.c tokenizer without byte tokens cannot encode a byte: a clear error, not an id outside the vocabulary', () => {
  // max_token_length 1, then 3 tokens "a" "b" " " with score 0
  const parts = [[1, 0, 0, 0], ...['a', 'b', ' '].map((c) => [0, 0, 0, 0, 1, 0, 0, 0, c.charCodeAt(0)])];
  const tok = parseLlama2cTokenizer(Uint8Array.from(parts.flat()), 't.bin', 3);
  assert.deepEqual(tok.encode('ab', { addSpecialTokens: false }), [2, 0, 1]);
  assert.throws(() => tok.encode('z'), inputError('t.bin', /cannot encode byte 0x7A/));
});

const tokenizerError = (json: unknown, problem: RegExp) =>
  assert.throws(() => parseHfTokenizerFiles({ 'tokenizer.json': JSON.stringify(json) }, 'd'), inputError('d/tokenizer.json', problem));

test('tokenizer.json whose post-processor has "single": null (TypeError inside the library at encode)', () => {
  tokenizerError({ added_tokens: [], post_processor: { type: 'TemplateProcessing', single: null, pair: [] }, model: { type: 'BPE', vocab: { a: 0 }, merges: [] } }, /cannot encode/);
});

test('tokenizer.json with a Unigram unk_id outside its vocab (ids outside the vocabulary at decode)', () => {
  tokenizerError({ added_tokens: [], model: { type: 'Unigram', unk_id: 3667308042364598, vocab: [['<unk>', -1], ['a', -4]] } }, /unk_id/);
});

test('tokenizer.json with a token id of 2^31 (the library built a 2^31-entry table: minutes of freeze)', () => {
  const started = performance.now();
  tokenizerError({ added_tokens: [], model: { type: 'WordPiece', vocab: { '<unk>': 0, a: 2147483648 }, unk_token: '<unk>' } }, /ids must be integers in \[0, 2097152\)/);
  assert.ok(performance.now() - started < 2000, 'refused without building the table'); // hang bound, not a speed check
});

test('config.json with num_hidden_layers 2^31 (RangeError: Invalid array length in the keep mask)', () => {
  const text = JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_hidden_layers: 2147483648, vocab_size: 32, max_position_embeddings: 64 });
  assert.throws(() => parseHfConfig(parseConfigJsonText(text, 'c.json'), 'c.json'), inputError('c.json', /num_hidden_layers/));
});

test('JSONL record whose only string field is named " " (detection proposed a mapping the rules refuse, error without the file)', async () => {
  const records = await parseDatasetBytes(new TextEncoder().encode('{"":{}," ":""}'), 'f.jsonl', 'jsonl');
  assert.throws(() => importRead({ files: ['f.jsonl'], labelFiles: [], records }, 'f.jsonl'), (e: unknown) => e instanceof DatasetMappingError && /^f\.jsonl: cannot tell the task type/.test(e.message));
});

test('Parquet file whose column chunks are all corrupt: one error, no unhandled rejection left behind', async () => {
  const good = writeParquet([{ name: 'a', type: 'BYTE_ARRAY', values: ['x', 'y'] }, { name: 'b', type: 'BYTE_ARRAY', values: ['z', 'w'] }]);
  const bad = Uint8Array.from(good);
  bad.fill(0xff, 4, 40); // page headers of both columns
  const stray: unknown[] = [];
  const onStray = (e: unknown) => stray.push(e);
  process.on('unhandledRejection', onStray);
  try {
    await assert.rejects(parseParquet(bad, 'p.parquet'), inputError('p.parquet', /cannot read this Parquet file/));
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off('unhandledRejection', onStray);
  }
  assert.deepEqual(stray, []);
});
