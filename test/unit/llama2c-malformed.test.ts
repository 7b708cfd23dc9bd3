import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../engine/backend/select.ts';
import { loadModel } from '../../engine/io/load-model.ts';
import { readLlama2cTokenizer } from '../../engine/io/llama2c-tokenizer.ts';
import { InputFileError } from '../../engine/io/errors.ts';
import { STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'trimllm-bad-'));
const fixture = (name: string, bytes: Uint8Array | string) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
before(async () => {
  await selectBackend('wasm');
});

async function rejectsNaming(path: string, problem: RegExp, tokenizer?: string): Promise<void> {
  await assert.rejects(loadModel(path, tokenizer ? { tokenizer } : {}), (e: unknown) => {
    assert.ok(e instanceof InputFileError, `expected InputFileError, got ${String(e)}`);
    assert.ok(e.message.includes(path), `message names the file: ${e.message}`);
    assert.match(e.message, problem);
    return true;
  });
}

test('empty .bin file', async () => rejectsNaming(fixture('empty.bin', new Uint8Array()), /too short/));

test('truncated llama2.c checkpoint', async () => {
  const bytes = readFileSync(STORIES_BIN);
  await rejectsNaming(fixture('cut.bin', bytes.subarray(0, bytes.length - 100)), /does not match its llama2.c header/);
});

test('llama2.c checkpoint with an impossible header', async () => {
  const header = new Int32Array([64, 172, 5, 8, 4, 512, -3]);
  await rejectsNaming(fixture('neg.bin', new Uint8Array(header.buffer)), /not a model file this app can read/);
});

test('llama2.c version-1 checkpoint (magic ak42) is named as such', async () => {
  const header = new Int32Array([0x616b3432, 1, 64, 172, 5, 8, 4]);
  await rejectsNaming(fixture('v1.bin', new Uint8Array(header.buffer)), /version 1\/2/);
});

test('heads that do not divide: llama2.c header with 3 kv heads for 8 query heads', async () => {
  const bytes = Uint8Array.from(readFileSync(STORIES_BIN));
  new DataView(bytes.buffer).setInt32(16, 3, true);
  await assert.rejects(loadModel(fixture('heads.bin', bytes)), /multiple of nKvHeads/);
});

test('PyTorch pickle .bin (zip with data.pkl) is refused, never unpickled', async () => {
  const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from('archive/data.pkl')]);
  await assert.rejects(loadModel(fixture('pytorch_model.bin', zip)), /pickle/i);
});

test('a folder without config.json', async () => {
  const empty = join(dir, 'nofolder');
  mkdirSync(empty);
  await assert.rejects(loadModel(empty), /config\.json/);
});

test('tokenizer garbage: implausible max_token_length, truncated file', async () => {
  const garbage = fixture('garbage-tok.bin', 'this is not a tokenizer at all');
  assert.throws(() => readLlama2cTokenizer(garbage, 512), (e: unknown) => {
    assert.ok(e instanceof InputFileError && e.message.includes(garbage));
    return /max_token_length/.test((e as Error).message);
  });
  const cut = fixture('cut-tok.bin', readFileSync(STORIES_TOK).subarray(0, 300));
  assert.throws(() => readLlama2cTokenizer(cut, 512), /truncated after \d+ of 512 tokens/);
  const tiny = fixture('tiny-tok.bin', 'ab');
  await assert.rejects(loadModel(STORIES_BIN, { tokenizer: tiny }), (e: unknown) => {
    assert.ok(e instanceof InputFileError && e.file === tiny, String(e));
    return /too short for a llama2.c tokenizer/.test((e as Error).message);
  });
});
