// Hugging Face tokenizers against shared/reference/tokenizers.json (Rust `tokenizers` 0.23.2 and Python jinja2
// 3.1.6 with trim_blocks + lstrip_blocks), plus malformed folders and jinja2 whitespace corner cases.
//
// Decode convention of the reference: `decoded` equals decode(ids_without_special) with special tokens KEPT
// (skip_special_tokens=False). It is not decode(ids_with_special, skip=True): for TinyLlama that would drop the
// `</s><s>` the text itself contains, and not decode(ids_with_special) either: that starts with "<s> ".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputFileError } from '../../engine/io/errors.ts';
import { loadHfTokenizer, type HfTokenizer } from '../../engine/io/hf-tokenizer.ts';
import type { ChatMessage } from '../../engine/io/tokenizer.ts';

/** Template snippets used below. */
const IF = '{% if add_generation_prompt %}';
const FOR = '{% for m in messages %}';

const shared = (path: string): string => fileURLToPath(new URL(`../../../shared/${path}`, import.meta.url));

interface EncodeCase {
  text: string;
  ids_with_special: number[];
  ids_without_special: number[];
  decoded: string;
}
interface ChatCase {
  messages: ChatMessage[];
  add_generation_prompt: boolean;
  rendered: string;
}
interface Reference {
  models: Record<string, { encode: EncodeCase[]; chat?: ChatCase[] }>;
}

const reference = JSON.parse(readFileSync(shared('reference/tokenizers.json'), 'utf8')) as Reference;
/** Facts from shared/tokenizers/README.md (get_vocab_size(True)) and each folder's config files. */
const expected: Record<string, { vocabSize: number; bosId: number | null; eosIds: number[] }> = {
  'SmolLM2-135M-Instruct': { vocabSize: 49152, bosId: 1, eosIds: [2] },
  'TinyLlama-1.1B-Chat-v1.0': { vocabSize: 32000, bosId: 1, eosIds: [2] },
  gpt2: { vocabSize: 50257, bosId: null, eosIds: [50256] }, // eos from generation_config.json only
};

describe('reference models', () => {
  assert.deepEqual(Object.keys(reference.models).sort(), Object.keys(expected).sort());
  for (const ref of Object.values(reference.models)) assert.equal(ref.encode.length, 12);
  for (const [model, ref] of Object.entries(reference.models)) {
    describe(model, () => {
      let tok: HfTokenizer;
      before(() => {
        tok = loadHfTokenizer(shared(`tokenizers/${model}`));
      });

      it('has the vocabulary size and special ids of its files', () => {
        assert.equal(tok.vocabSize, expected[model]!.vocabSize);
        assert.equal(tok.bosId, expected[model]!.bosId);
        assert.deepEqual(tok.eosIds, expected[model]!.eosIds);
      });

      for (const c of ref.encode) {
        it(`encodes and decodes ${JSON.stringify(c.text)}`, () => {
          assert.deepEqual(tok.encode(c.text), c.ids_with_special);
          assert.deepEqual(tok.encode(c.text, { addSpecialTokens: true }), c.ids_with_special);
          assert.deepEqual(tok.encode(c.text, { addSpecialTokens: false }), c.ids_without_special);
          assert.equal(tok.decode(c.ids_without_special), c.decoded);
          assert.equal(tok.decode(c.ids_without_special, { skipSpecialTokens: false }), c.decoded);
        });
      }

      if (!ref.chat) {
        it('has no chat template', () => {
          assert.equal(tok.chatTemplate, null);
          assert.equal(tok.applyChatTemplate([{ role: 'user', content: 'hi' }], true), null);
        });
      }
      for (const [i, c] of (ref.chat ?? []).entries()) {
        it(`renders chat ${i} (${c.messages.length} messages, generation prompt ${c.add_generation_prompt})`, () => {
          assert.equal(tok.applyChatTemplate(c.messages, c.add_generation_prompt), c.rendered);
        });
      }
    });
  }
});

describe('special tokens in decode', () => {
  it('SmolLM2: skipSpecialTokens drops the ChatML markers', () => {
    const tok = loadHfTokenizer(shared('tokenizers/SmolLM2-135M-Instruct'));
    assert.equal(tok.decode([1, 4093, 198, 6004, 2], { skipSpecialTokens: true }), 'user\nhi');
    assert.equal(tok.decode([1, 4093, 198, 6004, 2]), '<|im_start|>user\nhi<|im_end|>');
  });

  it('TinyLlama: BOS kept shows as "<s> " (the Strip decoder only removes a leading space)', () => {
    const tok = loadHfTokenizer(shared('tokenizers/TinyLlama-1.1B-Chat-v1.0'));
    const ids = [1, 15043, 29892, 3186, 29991];
    assert.equal(tok.decode(ids), '<s> Hello, world!');
    assert.equal(tok.decode(ids, { skipSpecialTokens: true }), 'Hello, world!');
    assert.equal(tok.decode([]), '');
    assert.throws(() => tok.decode([32000]), RangeError);
    assert.throws(() => tok.decode([-1]), RangeError);
    assert.throws(() => tok.decode([1.5]), RangeError);
  });
});

describe('malformed input', () => {
  let root: string;
  let count = 0;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'hf-tokenizer-test-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A new folder under root holding the given files. */
  const folder = (files: Record<string, string>): string => {
    const dir = join(root, `m${count++}`);
    mkdirSync(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  /** Asserts that loading `dir` throws an InputFileError naming `dir/file` whose message matches `problem`. */
  const rejects = (dir: string, file: string, problem: RegExp): void => {
    const path = join(dir, file);
    assert.throws(
      () => loadHfTokenizer(dir),
      (e: unknown) =>
        e instanceof InputFileError && e.file === path && e.message.includes(path) && problem.test(e.message),
    );
  };
  const tokenizerJson = (text: string): string => folder({ 'tokenizer.json': text });

  it('garbage tokenizer.json', () => {
    rejects(tokenizerJson('\u0000\u0001not json at all{'), 'tokenizer.json', /not valid JSON/);
  });

  it('empty tokenizer.json', () => {
    rejects(tokenizerJson(''), 'tokenizer.json', /empty file/);
  });

  it('missing folder', () => {
    const dir = join(root, 'does-not-exist');
    const named = (e: unknown) => e instanceof InputFileError && e.file === dir && /no such folder/.test(e.message);
    assert.throws(() => loadHfTokenizer(dir), named);
  });

  it('folder without tokenizer.json (Qwen2.5 ships vocab.json + merges.txt only)', () => {
    rejects(shared('tokenizers/Qwen2.5-0.5B-Instruct'), 'tokenizer.json', /missing/);
  });

  it('JSON that is not a tokenizer', () => {
    rejects(tokenizerJson('[1, 2, 3]'), 'tokenizer.json', /expected a JSON object/);
    rejects(tokenizerJson('{"version": "1.0"}'), 'tokenizer.json', /no "model" object/);
    rejects(tokenizerJson('{"model": {"type": "Nope"}}'), 'tokenizer.json', /Nope/);
    rejects(tokenizerJson('{"model": {}, "added_tokens": [{}]}'), 'tokenizer.json', /added_tokens/);
  });

  it('garbage tokenizer_config.json beside a valid tokenizer.json', () => {
    const dir = folder({ 'tokenizer.json': tinyTokenizerJson(), 'tokenizer_config.json': '{"bos_token": ' });
    rejects(dir, 'tokenizer_config.json', /not valid JSON/);
  });

  it('a chat template that does not parse names its file when used', () => {
    const config = JSON.stringify({ chat_template: '{% if x %}open' });
    const dir = folder({ 'tokenizer.json': tinyTokenizerJson(), 'tokenizer_config.json': config });
    const tok = loadHfTokenizer(dir);
    const named = (e: unknown) => e instanceof InputFileError && e.file === join(dir, 'tokenizer_config.json');
    assert.throws(() => tok.applyChatTemplate([], false), named);
  });

  it('config variants: {content} special tokens, named templates, chat_template.jinja, eos lists', () => {
    const config = {
      bos_token: { content: '<s>', lstrip: false },
      eos_token: '</s>',
      chat_template: [
        { name: 'tool_use', template: 'tools' },
        { name: 'default', template: `{{ bos_token }}${FOR}{{ m.content }}{{ eos_token }}{% endfor %}` },
      ],
    };
    const files = { 'tokenizer.json': tinyTokenizerJson(), 'tokenizer_config.json': JSON.stringify(config) };
    const tok = loadHfTokenizer(folder({ ...files, 'generation_config.json': '{"eos_token_id": [4, 3]}' }));
    assert.equal(tok.vocabSize, 5);
    assert.equal(tok.bosId, 3);
    assert.deepEqual(tok.eosIds, [4, 3]);
    assert.deepEqual(tok.encode('abab', { addSpecialTokens: false }), [2, 2]);
    assert.equal(tok.applyChatTemplate([{ role: 'user', content: 'hi' }], true), '<s>hi</s>');
    const override = loadHfTokenizer(folder({ ...files, 'chat_template.jinja': '[{{ messages[0].role }}]\n' }));
    assert.equal(override.applyChatTemplate([{ role: 'user', content: 'hi' }], true), '[user]');
  });
});

/** A five-token BPE tokenizer.json: a, b, ab (merge "a b"), <s>=3, </s>=4 (special). */
function tinyTokenizerJson(): string {
  const flags = { single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  return JSON.stringify({
    version: '1.0',
    added_tokens: [
      { id: 3, content: '<s>', ...flags },
      { id: 4, content: '</s>', ...flags },
    ],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2, '<s>': 3, '</s>': 4 }, merges: ['a b'] },
  });
}

// Each template rendered by Python jinja2 3.1.6 (trim_blocks, lstrip_blocks) with messages=[{user: "hi"}],
// add_generation_prompt=True: [what it checks, template, jinja2's output]. Where @huggingface/jinja's own
// trim/lstrip regexes differ from jinja2 (the first six), and a few ordinary layouts.
const jinja2Cases: [string, string, string][] = [
  ['{%+ keeps indentation, +%} keeps the newline', 'line\n  {%+ if 1 %}keep{% endif +%}\nnext', 'line\n  keep\nnext'],
  ['\\r\\n line ends are normalised first', `a\r\n  ${IF}\r\nb\r\n{% endif %}\r\n`, 'a\nb\n'],
  ['%} inside a string literal is not a tag end', `{{ '%}\n' }}x\n${IF}\ny{% endif %}`, '%}\nx\ny'],
  ['-} in text is text', 't -}\nu', 't -}\nu'],
  ['raw blocks', '{% raw %}\n  {% if %}{{ x }}\n  {% endraw %}\nafter\n', '\n  {% if %}{{ x }}\nafter'],
  ['lstrip takes any Python whitespace', `\t ${IF}tab{% endif %}\n\u3000${IF}ideo{% endif %}`, 'tabideo'],
  ['only one trailing newline is dropped', 'A\n\n', 'A\n'],
  ['loops on their own lines', `${FOR}\n  {{ m.role }}: {{ m.content }}\n{% endfor %}\n`, '  user: hi\n'],
  ['a { before a stripped tag', `x{ {%- if 1 %}y{% endif %}`, 'x{y'],
  ['comments with signs', '  {#- c -#}  \n  v  {# d #}\n w', 'v   w'],
];

describe('chat template whitespace matches Python jinja2', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'hf-jinja-test-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const [i, [name, template, rendered]] of jinja2Cases.entries()) {
    it(name, () => {
      const dir = join(root, `t${i}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'tokenizer.json'), tinyTokenizerJson());
      writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: template }));
      assert.equal(loadHfTokenizer(dir).applyChatTemplate([{ role: 'user', content: 'hi' }], true), rendered);
    });
  }
});
