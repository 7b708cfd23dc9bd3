import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readLlama2cTokenizer } from '../../engine/io/llama2c-tokenizer.ts';
import { sharedPath, STORIES_TOK } from '../helpers/shared.ts';

/** llama2.c's encode() written the direct O(n²) way (rescan every pair per merge), as the oracle. */
function naiveEncode(pieces: string[], scores: number[], text: string): number[] {
  const ids = new Map<string, number>();
  pieces.forEach((p, i) => { if (!ids.has(p)) ids.set(p, i); });
  const tokens = [1, ids.get(' ')!];
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; ) {
    let end = i + 1;
    while (end < bytes.length && end - i < 4 && (bytes[end]! & 0xc0) === 0x80) end++;
    const id = ids.get(bytes.subarray(i, end).toString('latin1'));
    if (id !== undefined) tokens.push(id);
    else for (const b of bytes.subarray(i, end)) tokens.push(b + 3);
    i = end;
  }
  for (;;) {
    let best = -1e10;
    let at = -1;
    let merged = -1;
    for (let i = 1; i < tokens.length - 1; i++) {
      const id = ids.get(pieces[tokens[i]!]! + pieces[tokens[i + 1]!]!);
      if (id !== undefined && scores[id]! > best) [best, at, merged] = [scores[id]!, i, id];
    }
    if (at < 0) return tokens;
    tokens.splice(at, 2, merged);
  }
}

test('the heap-based merge equals the direct llama2.c merge loop on real prose', () => {
  const buf = readFileSync(STORIES_TOK);
  const pieces: string[] = [];
  const scores: number[] = [];
  for (let at = 4, i = 0; i < 512; i++) {
    scores.push(buf.readFloatLE(at));
    const len = buf.readInt32LE(at + 4);
    pieces.push(buf.subarray(at + 8, at + 8 + len).toString('latin1'));
    at += 8 + len;
  }
  const tok = readLlama2cTokenizer(STORIES_TOK, 512);
  const tales = readFileSync(sharedPath('datasets/grimm_fairy_tales/grimms_fairy_tales.txt'), 'utf8').split('\r\n').filter((l) => l.length > 0);
  for (const line of [...tales.slice(0, 40), 'aaaa  bbbb ééé 🧪 tie tie tie', '   ']) {
    assert.deepEqual(tok.encode(line), naiveEncode(pieces, scores, line), line.slice(0, 40));
  }
});

test('a tokenizer with more tokens than the model has embedding rows is refused at load, naming both sizes', async () => {
  const { loadModel } = await import('../../engine/io/load-model.ts');
  const { STORIES_BIN } = await import('../helpers/shared.ts');
  const gpt2 = sharedPath('tokenizers/gpt2');
  await assert.rejects(loadModel(STORIES_BIN, { tokenizer: gpt2 }), (e: Error) =>
    e.message === `${gpt2}: this tokenizer has 50257 tokens, but the model's embedding has 512 rows; pass the tokenizer the model was trained with`);
  await assert.rejects(loadModel(STORIES_BIN, { tokenizer: `${gpt2}/tokenizer.json` }), /has 50257 tokens, but the model's embedding has 512 rows/);
  const llama2 = sharedPath('models/llama2-tokenizer.bin');
  assert.throws(() => readLlama2cTokenizer(llama2, 512), /llama2-tokenizer\.bin: this tokenizer has 32000 tokens, but the model's embedding has 512 rows/);
  assert.equal(readLlama2cTokenizer(llama2, 32000).vocabSize, 32000);
  assert.equal(readLlama2cTokenizer(STORIES_TOK, 512).vocabSize, 512);
});

test('byte tokens: a prefix never decodes to U+FFFD; bytes that form no character are left out (as llama2.c prints)', async () => {
  const { wholeUtf8 } = await import('../../engine/io/llama2c-tokenizer.ts');
  const t = readLlama2cTokenizer(STORIES_TOK, 512);
  const byte = (b: number) => b + 3; // <0x00> is id 3
  const tom = t.encode('Tom', { addSpecialTokens: false });
  const apostrophe = [0xe2, 0x80, 0x99].map(byte); // ’ as three byte tokens
  const prefixes = [1, 2, 3].map((k) => t.decode([...tom, ...apostrophe.slice(0, k)]));
  assert.deepEqual(prefixes.map((p) => p.slice(-1) === '’' ? 'complete' : p), [t.decode(tom), t.decode(tom), 'complete']);
  const emoji = [0xf0, 0x9f, 0x98, 0x80].map(byte);
  for (let k = 1; k <= 4; k++) assert.ok(!t.decode([...tom, ...emoji.slice(0, k)]).includes('\uFFFD'), `emoji prefix ${k}`);
  assert.equal(t.decode([...tom, ...emoji]).slice(-2), '😀');
  // A lead byte followed by a non-continuation can never complete: it is dropped, the rest is kept.
  assert.equal(t.decode([...tom, byte(0xe2), ...t.encode('A', { addSpecialTokens: false })]), `${t.decode(tom)}${t.decode(t.encode('A', { addSpecialTokens: false }))}`);
  assert.deepEqual([...wholeUtf8(Uint8Array.from([0x41, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82, 0xac]))], [0x41, 0xe2, 0x82, 0xac]);
});
