// Fuzz: Hugging Face tokenizer files (engine/io/hf-tokenizer.ts parseHfTokenizerFiles): tokenizer.json,
// tokenizer_config.json (special tokens, chat template), special_tokens_map.json, generation_config.json and
// chat_template.jinja — byte mutations of small valid files (the real TinyLlama and SmolLM2 pipelines grafted onto
// a tiny vocabulary), generated structures, generated templates. A loaded tokenizer then encodes, decodes and
// renders a conversation. Acceptable: success, an InputFileError naming the file, or an Error whose message names
// the file (a text the tokenizer cannot encode, a template that fails on this conversation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseHfTokenizerFiles, type TokenizerFileTexts } from '../../engine/io/hf-tokenizer.ts';
import { InputFileError } from '../../engine/io/errors.ts';
import { sharedPath } from '../helpers/shared.ts';
import { describeError, fuzz, JSON_TOKENS, mutatedBytes, mutatedJson } from './harness.ts';

const DIR = 'fuzz/model';
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const special = { single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
const VOCAB = { '<unk>': 0, '<s>': 1, '</s>': 2, a: 3, b: 4, ab: 5, '▁': 6, '▁a': 7, 'Ġ': 8, c: 9 };
const ADDED = [{ id: 0, content: '<unk>', ...special }, { id: 1, content: '<s>', ...special }, { id: 2, content: '</s>', ...special }];
/** The pipeline (normalizer, pre-tokenizer, post-processor, decoder) of a real tokenizer.json on the tiny vocabulary. */
function grafted(real: string, model: Record<string, unknown>): string {
  const json = JSON.parse(readFileSync(sharedPath(`tokenizers/${real}/tokenizer.json`), 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ ...json, added_tokens: ADDED, model: { ...(json.model as object), ...model } });
}
const BPE = { type: 'BPE', vocab: VOCAB, merges: ['a b', '▁ a'], unk_token: '<unk>' };
const TOKENIZERS = [
  grafted('TinyLlama-1.1B-Chat-v1.0', { ...BPE, byte_fallback: true }),
  grafted('SmolLM2-135M-Instruct', { ...BPE, merges: [['a', 'b']] }),
  JSON.stringify({ version: '1.0', added_tokens: ADDED, model: { type: 'WordPiece', vocab: VOCAB, unk_token: '<unk>', continuing_subword_prefix: '##', max_input_chars_per_word: 100 } }),
  JSON.stringify({ added_tokens: ADDED, model: { type: 'Unigram', unk_id: 0, vocab: Object.keys(VOCAB).map((k, i) => [k, -i - 1]) } }),
];
const realConfig = (name: string) => readFileSync(sharedPath(`tokenizers/${name}/tokenizer_config.json`), 'utf8');
const CONFIGS = [
  JSON.stringify({ bos_token: '<s>', eos_token: '</s>', unk_token: { content: '<unk>' }, chat_template: JSON.parse(realConfig('TinyLlama-1.1B-Chat-v1.0')).chat_template }),
  JSON.stringify({ eos_token: '</s>', chat_template: JSON.parse(realConfig('SmolLM2-135M-Instruct')).chat_template, additional_special_tokens: ['<s>'] }),
  JSON.stringify({ chat_template: [{ name: 'default', template: '{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}' }] }),
];
const TEMPLATE_TOKENS = [
  '{{', '}}', '{%', '%}', '{#', '#}', '{%-', '-%}', ' if ', ' for m in messages ', ' endfor ', ' endif ', ' else ', ' raw ',
  ' endraw ', "'", '"', '(', ')', '[', ']', '|', ' m.content ', ' messages[0] ', ' raise_exception("x") ', ' bos_token ',
  ' add_generation_prompt ', ' | length ', ' | trim ', ' loop.index ', ' set x = ', ' range(3) ', ' namespace() ', '\n', '\\',
];
const MESSAGES = [[{ role: 'user', content: 'hi' }], [{ role: 'system', content: 's' }, { role: 'user', content: 'ab ab' }, { role: 'assistant', content: '' }], []];

/** Mostly one of `good`, sometimes one of `bad`. */
const mostly = (good: string[], bad: string[]) => fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });

/** The files of one case. */
const filesArb: fc.Arbitrary<TokenizerFileTexts> = fc.record(
  {
    'tokenizer.json': fc.oneof(
      { weight: 2, arbitrary: mutatedBytes(TOKENIZERS.map(enc), JSON_TOKENS).map(dec) },
      { weight: 6, arbitrary: mutatedJson(TOKENIZERS.map((t) => JSON.parse(t) as unknown)) },
      { weight: 1, arbitrary: fc.constantFrom(...TOKENIZERS) },
      { weight: 1, arbitrary: fc.record({ model: fc.jsonValue({ maxDepth: 3 }), added_tokens: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
    ),
    'tokenizer_config.json': fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...CONFIGS) },
      mutatedBytes(CONFIGS.map(enc), [...JSON_TOKENS, ...TEMPLATE_TOKENS]).map(dec),
      mutatedJson(CONFIGS.map((c) => JSON.parse(c) as unknown)),
      fc.record({ bos_token: fc.jsonValue({ maxDepth: 1 }), eos_token: fc.constantFrom('</s>', 'zz', 7), chat_template: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    ),
    'special_tokens_map.json': mostly(['{"eos_token": "</s>"}', '{"bos_token": {"content": "<s>"}}', '{"eos_token": null}'], ['[]', '{', '']),
    'generation_config.json': mostly(['{"eos_token_id": [2, 99, -1, 1.5, "x"]}', '{"eos_token_id": 2}', '{}'], ['null', '{"a":']),
    'chat_template.jinja': fc.oneof(
      { weight: 3, arbitrary: fc.constant('{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}') },
      mutatedBytes([enc('{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}')], TEMPLATE_TOKENS).map(dec),
      fc.array(fc.constantFrom(...TEMPLATE_TOKENS), { maxLength: 12 }).map((a) => a.join('')),
    ),
  },
  { requiredKeys: ['tokenizer.json'] },
);

/** Loads, then encodes, decodes and renders what the app would. */
function useTokenizer([files, text, messages]: [TokenizerFileTexts, string, (typeof MESSAGES)[number]]): void {
  const tok = parseHfTokenizerFiles(files, DIR);
  const ids = tok.encode(text);
  tok.decode(ids.filter((id) => id < tok.vocabSize));
  tok.applyChatTemplate(messages, true);
}

/** Acceptable: an InputFileError naming a file of the folder, or an Error whose message names one (see above). */
function problem(e: unknown): string | null {
  const named = e instanceof Error && e.message.includes(`${DIR}/`) && e.message.length > DIR.length + 30;
  if (e instanceof InputFileError && named) return null;
  if (e instanceof Error && e.constructor === Error && named) return null;
  return `expected an error naming a file of ${DIR}, got ${describeError(e)}`;
}

test('fuzz: Hugging Face tokenizer files and chat templates — refused with an error naming the file', { timeout: 150_000 }, async (t) => {
  const arb = fc.tuple(filesArb, fc.oneof(fc.constantFrom('ab ab', 'a\u0000b', '🙂', ''), fc.string({ maxLength: 12 })), fc.constantFrom(...MESSAGES));
  const stats = await fuzz(t, arb, useTokenizer, problem);
  assert.ok(stats.rejected > 0 && stats.accepted > 0);
});
