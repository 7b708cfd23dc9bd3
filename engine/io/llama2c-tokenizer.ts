/**
 * The llama2.c tokenizer (`tokenizer.bin`, written by llama2.c's `tokenizer.py`): int32 max_token_length, then
 * for each of V tokens a float32 merge score, an int32 byte length and the token's bytes.
 *
 * Encoding follows llama2.c's `encode()` (run.c), a SentencePiece-BPE equivalent: a dummy-prefix space, each
 * UTF-8 code point looked up as a token (bytes not in the vocabulary fall back to ids byte + 3, the `<0xXX>`
 * tokens), then repeatedly merge the adjacent pair whose concatenation is a token with the highest score.
 * Decoding strips the leading space of the first piece after BOS and turns `<0xXX>` pieces into raw bytes.
 */
import { readFileSync } from 'node:fs';
import { InputFileError, tokenizerMismatch } from './errors.ts';
import type { DecodeOptions, EncodeOptions, Tokenizer } from './tokenizer.ts';

const BOS = 1;
const EOS = 2;
const BYTE_OFFSET = 3;
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** A llama2.c tokenizer. */
export class Llama2cTokenizer implements Tokenizer {
  readonly bosId = BOS;
  /** Generation stops at EOS, and at BOS: llama2.c models start each new story with BOS (as run.c does). */
  readonly eosIds = [EOS, BOS];
  private readonly ids = new Map<string, number>();
  /** Each token's raw bytes as a latin1 string (one char per byte), the key of `ids`. */
  private readonly latin1: string[];
  /** Bytes each token decodes to (`<0xXX>` pieces already turned into their byte). */
  private readonly pieceBytes: Uint8Array[];

  /**
   * @param rawPieces token strings (raw UTF-8 bytes, as stored in the file) indexed by id
   * @param scores merge scores indexed by id
   * @param file the tokenizer file, named in encoding errors
   */
  constructor(
    private readonly rawPieces: Uint8Array[],
    private readonly scores: Float32Array,
    private readonly file = 'tokenizer.bin',
  ) {
    const decoder = new TextDecoder('utf-8', { fatal: false });
    this.pieceBytes = rawPieces.map((p) => {
      const m = BYTE_PIECE.exec(decoder.decode(p));
      return m ? Uint8Array.of(parseInt(m[1]!, 16)) : p;
    });
    // llama2.c looks tokens up by their raw string; the first id wins for duplicates.
    this.latin1 = rawPieces.map((p) => Buffer.from(p).toString('latin1'));
    this.latin1.forEach((key, id) => {
      if (!this.ids.has(key)) this.ids.set(key, id);
    });
  }

  /** Vocabulary size V. */
  get vocabSize(): number {
    return this.scores.length;
  }

  private lookup(bytes: Uint8Array): number | undefined {
    return this.ids.get(Buffer.from(bytes).toString('latin1'));
  }

  /**
   * Text → ids (BOS first unless addSpecialTokens is false), as llama2.c's encode(text, bos=1, eos=0).
   * @throws InputFileError naming the tokenizer file when a byte has neither a token nor a `<0xXX>` byte token
   *   (a vocabulary without the 256 byte tokens)
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = options.addSpecialTokens === false ? [] : [BOS];
    if (text.length === 0) return out;
    const tokens: number[] = [];
    const pushCodePoint = (cp: Uint8Array): void => {
      const id = this.lookup(cp);
      if (id !== undefined) tokens.push(id);
      else for (const b of cp) tokens.push(this.byteToken(b));
    };
    pushCodePoint(Buffer.from(' ')); // the dummy prefix
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; ) {
      let end = i + 1;
      while (end < bytes.length && end - i < 4 && (bytes[end]! & 0xc0) === 0x80) end++;
      pushCodePoint(bytes.subarray(i, end));
      i = end;
    }
    return out.concat(this.mergePairs(tokens));
  }

  /** The id of byte `b`'s `<0xXX>` fallback token. */
  private byteToken(b: number): number {
    const id = b + BYTE_OFFSET;
    if (id >= this.vocabSize) {
      const hex = b.toString(16).toUpperCase().padStart(2, '0');
      throw new InputFileError(this.file, `cannot encode byte 0x${hex}: the vocabulary (${this.vocabSize} tokens) has no token for it and no <0x${hex}> byte token`);
    }
    return id;
  }

  /**
   * Applies llama2.c's merge rule — repeatedly merge the adjacent pair with the highest score, the leftmost on
   * ties — in O(n log n) with a heap of candidate pairs over a linked list (run.c rescans all pairs per merge,
   * O(n²)). Stale heap entries (a side already merged) are skipped when popped; list order equals original
   * index order, so "leftmost" is the smallest left index.
   */
  private mergePairs(tokens: number[]): number[] {
    const n = tokens.length;
    const id = Int32Array.from(tokens);
    const text = tokens.map((t) => this.latin1[t]!);
    const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
    const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
    const heap: { score: number; left: number; right: number; merged: number; l: string; r: string }[] = [];
    const before = (a: (typeof heap)[0], b: (typeof heap)[0]) => a.score > b.score || (a.score === b.score && a.left < b.left);
    const push = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const merged = this.ids.get(text[left]! + text[right]!);
      if (merged === undefined) return;
      heap.push({ score: this.scores[merged]!, left, right, merged, l: text[left]!, r: text[right]! });
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!before(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    };
    const pop = () => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const a = 2 * i + 1;
          const b = a + 1;
          let best = i;
          if (a < heap.length && before(heap[a]!, heap[best]!)) best = a;
          if (b < heap.length && before(heap[b]!, heap[best]!)) best = b;
          if (best === i) break;
          [heap[i], heap[best]] = [heap[best]!, heap[i]!];
          i = best;
        }
      }
      return top;
    };
    for (let i = 0; i + 1 < n; i++) push(i, i + 1);
    while (heap.length > 0) {
      const c = pop();
      if (next[c.left] !== c.right || text[c.left] !== c.l || text[c.right] !== c.r) continue; // stale
      id[c.left] = c.merged;
      text[c.left] = c.l + c.r;
      const after = next[c.right]!;
      next[c.left] = after;
      if (after >= 0) prev[after] = c.left;
      text[c.right] = ''; // dead
      next[c.right] = -2;
      push(prev[c.left]!, c.left);
      push(c.left, after);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]!) out.push(id[i]!);
    return out;

  }

  /**
   * Ids → text, as llama2.c prints them: leading space of the piece after BOS stripped, and bytes of byte
   * tokens (`<0xE2>`) that do not form a whole UTF-8 character left out (llama2.c's safe_printf skips such raw
   * bytes), so decoding a prefix of a sequence never shows U+FFFD for a character whose bytes are still to come.
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const chunks: Uint8Array[] = [];
    ids.forEach((id, i) => {
      if (id === BOS || id === EOS) {
        if (!options.skipSpecialTokens) chunks.push(this.rawPieces[id]!);
        return;
      }
      let piece = this.pieceBytes[id];
      if (!piece) throw new RangeError(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
      if (i > 0 && ids[i - 1] === BOS && piece[0] === 0x20) piece = piece.subarray(1);
      chunks.push(piece);
    });
    return Buffer.from(wholeUtf8(Buffer.concat(chunks))).toString('utf8');
  }

  /** llama2.c tokenizers carry no chat template. */
  applyChatTemplate(): null {
    return null;
  }
}

/** Length of the UTF-8 sequence starting at `i` when it is complete and well-formed, else 0. */
function utf8SequenceAt(b: Uint8Array, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return 1;
  const len = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > b.length) return 0;
  for (let k = 1; k < len; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  const second = b[i + 1]!;
  // Overlong, surrogate and beyond-U+10FFFF forms.
  if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second > 0x9f) || (lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second > 0x8f)) return 0;
  return len;
}

/**
 * The bytes with every byte that does not belong to a whole, well-formed UTF-8 character left out (an
 * incomplete character at the end included).
 * @param bytes UTF-8 bytes, possibly malformed
 */
export function wholeUtf8(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; ) {
    const len = utf8SequenceAt(bytes, i);
    if (len === 0) {
      i++;
      continue;
    }
    out.set(bytes.subarray(i, i + len), n);
    n += len;
    i += len;
  }
  return out.subarray(0, n);
}

/**
 * Number of whole token entries (score, length, bytes) from byte `at` to the end of `buf`; 0 when the rest is
 * not exactly such entries (trailing bytes that are not tokens are ignored, as before).
 */
function wholeTokensFrom(buf: Buffer, at: number, maxLen: number): number {
  let count = 0;
  while (at + 8 <= buf.length) {
    const len = buf.readInt32LE(at + 4);
    if (len < 0 || len > maxLen || at + 8 + len > buf.length) return 0;
    at += 8 + len;
    count++;
  }
  return at === buf.length ? count : 0;
}

/**
 * Reads a llama2.c `tokenizer.bin`.
 * @param vocabSize number of tokens to read (the model's V; the file does not store it)
 * @throws InputFileError naming the file when it is empty, truncated, has impossible lengths, or holds more
 *   than `vocabSize` tokens (a tokenizer of another model)
 */
export function readLlama2cTokenizer(path: string, vocabSize: number): Llama2cTokenizer {
  return parseLlama2cTokenizer(readFileSync(path), path, vocabSize);
}

/**
 * Parses the bytes of a llama2.c `tokenizer.bin` held in memory (the checks of readLlama2cTokenizer).
 * @param bytes the whole file
 * @param path the name used in errors
 * @param vocabSize number of tokens to read
 * @throws InputFileError naming `path`, as readLlama2cTokenizer
 */
export function parseLlama2cTokenizer(bytes: Uint8Array, path: string, vocabSize: number): Llama2cTokenizer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!Number.isInteger(vocabSize) || vocabSize < 3) {
    throw new InputFileError(path, `cannot be read for a vocabulary of ${vocabSize} tokens (at least <unk>, <s> and </s>: 3)`);
  }
  if (buf.length < 4) throw new InputFileError(path, `too short for a llama2.c tokenizer (${buf.length} bytes)`);
  const maxLen = buf.readInt32LE(0);
  if (maxLen <= 0 || maxLen > 1024) {
    throw new InputFileError(path, `not a llama2.c tokenizer: max_token_length ${maxLen} is implausible`);
  }
  const pieces: Uint8Array[] = [];
  const scores = new Float32Array(vocabSize);
  let at = 4;
  for (let id = 0; id < vocabSize; id++) {
    if (at + 8 > buf.length) {
      throw new InputFileError(path, `truncated after ${id} of ${vocabSize} tokens (the model's vocabulary size)`);
    }
    scores[id] = buf.readFloatLE(at);
    const len = buf.readInt32LE(at + 4);
    at += 8;
    if (len < 0 || len > maxLen || at + len > buf.length) {
      throw new InputFileError(path, `token ${id} has an invalid length ${len} (max ${maxLen}, at byte ${at - 4})`);
    }
    pieces.push(Uint8Array.from(buf.subarray(at, at + len)));
    at += len;
  }
  const more = wholeTokensFrom(buf, at, maxLen);
  if (more > 0) {
    throw tokenizerMismatch(path, vocabSize + more, vocabSize);
  }
  return new Llama2cTokenizer(pieces, scores, path);
}
