/**
 * The tokenizer part of a GGUF file's metadata (llama.cpp gguf-py constants `tokenizer.ggml.*`):
 * - `llama` (SentencePiece-style, merged by score) from a llama2.c `tokenizer.bin`: tokens with `▁` for spaces,
 *   their scores, and types (unknown, control for BOS/EOS, byte for `<0xXX>`, normal);
 * - `gpt2` (byte-level BPE) from a Hugging Face tokenizer.json: tokens in id order, merges, types (control for
 *   special added tokens, user-defined for other added tokens), and the pre-tokenizer name llama.cpp knows the
 *   splitting regex by (`tokenizer.ggml.pre`).
 * Both carry BOS/EOS/unknown/padding ids, whether BOS is added, and the chat template.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GgufValue } from './gguf-format.ts';
import { InputFileError } from './errors.ts';
import { HfTokenizer } from './hf-tokenizer.ts';
import type { Tokenizer } from './tokenizer.ts';

/** llama.cpp token types (llama_token_type). */
const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
const BYTE_PIECE = /^<0x[0-9A-Fa-f]{2}>$/;

/** Reads a llama2.c tokenizer.bin into pieces (UTF-8 text) and scores. */
function readLlama2cVocab(file: string): { pieces: string[]; scores: number[] } {
  const b = readFileSync(file);
  const pieces: string[] = [];
  const scores: number[] = [];
  for (let at = 4; at < b.length; ) {
    if (at + 8 > b.length) throw new InputFileError(file, `truncated at byte ${at}`);
    scores.push(b.readFloatLE(at));
    const len = b.readInt32LE(at + 4);
    if (len < 0 || at + 8 + len > b.length) throw new InputFileError(file, `token ${pieces.length} overruns the file`);
    pieces.push(b.toString('utf8', at + 8, at + 8 + len));
    at += 8 + len;
  }
  return { pieces, scores };
}

function llamaVocab(file: string, tokenizer: Tokenizer, vocabSize: number): Map<string, GgufValue> {
  const { pieces, scores } = readLlama2cVocab(file);
  const special = new Set([tokenizer.bosId, ...tokenizer.eosIds]);
  const tokens: string[] = [];
  const types = new Int32Array(vocabSize);
  const scoreArr = new Float32Array(vocabSize);
  for (let id = 0; id < vocabSize; id++) {
    const raw = pieces[id];
    if (raw === undefined) {
      tokens.push(`[PAD${id}]`);
      types[id] = TokenType.UNUSED;
      continue;
    }
    // llama2.c's tokenizer.py wrote BOS/EOS as "\n<s>\n" / "\n</s>\n" and spaces for SentencePiece's "▁".
    const text = special.has(id) ? raw.trim() : raw.replaceAll(' ', '\u2581');
    tokens.push(text);
    scoreArr[id] = scores[id]!;
    types[id] = id === 0 && text === '<unk>' ? TokenType.UNKNOWN
      : special.has(id) ? TokenType.CONTROL
        : BYTE_PIECE.test(text) ? TokenType.BYTE : TokenType.NORMAL;
  }
  return new Map<string, GgufValue>([
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: scoreArr }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
  ]);
}

/**
 * llama.cpp's name for a tokenizer.json pre-tokenizer (`tokenizer.ggml.pre`), recognised from its structure.
 * @throws InputFileError naming tokenizer.json when the pre-tokenizer is not one llama.cpp has a regex for here
 */
export function preTokenizerName(pre: unknown, file: string): string {
  interface Part { type?: string; individual_digits?: boolean; pattern?: { Regex?: string }; pretokenizers?: Part[] }
  const p = pre as Part | null;
  const parts: Part[] = p?.type === 'Sequence' ? p.pretokenizers ?? [] : p ? [p] : [];
  const types = parts.map((x) => x.type).join(',');
  if (types === 'ByteLevel') return 'gpt-2';
  if (types === 'Digits,ByteLevel' && parts[0]!.individual_digits) return 'smollm';
  const regex = parts[0]?.type === 'Split' ? parts[0].pattern?.Regex ?? '' : '';
  if (types.startsWith('Split') && regex.includes('\\p{N}{1,3}')) return 'llama-bpe';
  if (types.startsWith('Split') && regex.includes('\\p{N}|')) return 'qwen2';
  throw new InputFileError(file, `pre-tokenizer ${types || 'none'} has no llama.cpp equivalent known to this exporter`);
}

function gpt2Vocab(dir: string, vocabSize: number): Map<string, GgufValue> {
  const file = join(dir, 'tokenizer.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    model: { type?: string; vocab: Record<string, number>; merges: (string | [string, string])[] };
    added_tokens?: { id: number; content: string; special: boolean }[];
    pre_tokenizer: unknown;
    decoder?: { type?: string } | null;
  };
  if (json.model.type !== 'BPE' || json.decoder?.type !== 'ByteLevel') {
    throw new InputFileError(file, 'only byte-level BPE tokenizers (GPT-2, SmolLM2, Llama 3, Qwen2 style) can be exported to GGUF');
  }
  const tokens: (string | undefined)[] = new Array(vocabSize);
  const types = new Int32Array(vocabSize).fill(TokenType.NORMAL);
  for (const [token, id] of Object.entries(json.model.vocab)) if (id < vocabSize) tokens[id] = token;
  for (const t of json.added_tokens ?? []) {
    if (t.id >= vocabSize) continue;
    tokens[t.id] = t.content;
    types[t.id] = t.special ? TokenType.CONTROL : TokenType.USER_DEFINED;
  }
  const filled = Array.from(tokens, (t, id) => {
    if (t !== undefined) return t;
    types[id] = TokenType.UNUSED;
    return `[PAD${id}]`;
  });
  const merges = json.model.merges.map((m) => (typeof m === 'string' ? m : m.join(' ')));
  return new Map<string, GgufValue>([
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: preTokenizerName(json.pre_tokenizer, file) }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: filled }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: merges }],
  ]);
}

/**
 * Tokenizer metadata for a GGUF file.
 * @param source the tokenizer's file or folder: a llama2.c `.bin`, or a Hugging Face folder / tokenizer.json
 * @param vocabSize the model's vocabulary size; the token list is padded to it with unused `[PADn]` tokens
 * @throws InputFileError naming the tokenizer file when it is malformed or of a kind the exporter cannot write,
 *   or has more tokens than the model
 */
export function tokenizerMetadata(tokenizer: Tokenizer, source: string, vocabSize: number): Map<string, GgufValue> {
  if (tokenizer.vocabSize > vocabSize) {
    throw new InputFileError(source, `tokenizer has ${tokenizer.vocabSize} tokens, the model only ${vocabSize}`);
  }
  const folder = statSync(source).isDirectory() || source.endsWith('.json');
  const meta = folder
    ? gpt2Vocab(statSync(source).isDirectory() ? source : dirname(source), vocabSize)
    : llamaVocab(source, tokenizer, vocabSize);
  const withBos = tokenizer.encode('a');
  const addsBos = tokenizer.bosId !== null && withBos[0] === tokenizer.bosId &&
    withBos.length > tokenizer.encode('a', { addSpecialTokens: false }).length;
  if (tokenizer.bosId !== null) meta.set('tokenizer.ggml.bos_token_id', { type: 'u32', value: tokenizer.bosId });
  if (tokenizer.eosIds.length > 0) meta.set('tokenizer.ggml.eos_token_id', { type: 'u32', value: tokenizer.eosIds[0]! });
  meta.set('tokenizer.ggml.add_bos_token', { type: 'bool', value: addsBos });
  meta.set('tokenizer.ggml.add_eos_token', { type: 'bool', value: false });
  if (tokenizer instanceof HfTokenizer) {
    const pad = tokenizer.specialTokens.pad_token;
    const padId = typeof pad === 'string' ? tokenizer.encode(pad, { addSpecialTokens: false }) : [];
    if (padId.length === 1) meta.set('tokenizer.ggml.padding_token_id', { type: 'u32', value: padId[0]! });
    if (tokenizer.chatTemplate) meta.set('tokenizer.chat_template', { type: 'string', value: tokenizer.chatTemplate });
  }
  return meta;
}
