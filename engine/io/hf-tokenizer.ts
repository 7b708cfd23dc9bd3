/**
 * Hugging Face tokenizers: a model folder's `tokenizer.json` (run by @huggingface/tokenizers, a port of the Rust
 * `tokenizers` crate), its `tokenizer_config.json` / `special_tokens_map.json` (special tokens, chat template) and
 * `generation_config.json` (extra stop ids). Chat templates are rendered with @huggingface/jinja after a pass that
 * gives them the whitespace rules of Python jinja2 as transformers configures it (`trim_blocks`, `lstrip_blocks`).
 *
 * Decoding follows the Rust crate, the reference: no `clean_up_tokenization_spaces` pass (a transformers-only
 * post-process), ids of unused slots below vocabSize are dropped, an empty id list decodes to ''.
 * (Over 400 lines: loading, special tokens and the chat-template whitespace pass act on one tokenizer object;
 * split, each part would reach into the others.)
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Template, parse, tokenize } from '@huggingface/jinja';
import { Tokenizer as HfCoreTokenizer } from '@huggingface/tokenizers';
import { InputFileError } from './errors.ts';
import type { ChatMessage, DecodeOptions, EncodeOptions, Tokenizer } from './tokenizer.ts';

/** Special-token fields of tokenizer_config.json / special_tokens_map.json, given to templates as transformers does. */
const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];

/**
 * The part of @huggingface/tokenizers' Tokenizer used here, typed locally: the package's .d.ts files import each
 * other without extensions, so under NodeNext resolution its classes arrive untyped.
 */
export interface CoreTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
  decode(ids: number[], options: { skip_special_tokens: boolean; clean_up_tokenization_spaces: boolean }): string;
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
  get_vocab(withAddedTokens: boolean): Map<string, number>;
}

/** What HfTokenizer takes besides the core tokenizer. */
export interface HfTokenizerParts {
  /** Path of tokenizer.json (for error messages). */
  tokenizerFile: string;
  /** Path of tokenizer_config.json (for error messages; it need not exist). */
  configFile: string;
  /** Special tokens as strings: `bos_token`, `eos_token`, … and `additional_special_tokens`. */
  specialTokens: Record<string, string | string[]>;
  /** The jinja chat template source, or null. */
  chatTemplate: string | null;
  /** Path of the file the chat template came from; default configFile. */
  templateFile?: string;
  /** Stop ids besides `eos_token` (generation_config.json `eos_token_id`); ids outside the vocabulary are ignored. */
  extraEosIds?: readonly number[];
}

/** A tokenizer loaded from a Hugging Face model folder. */
export class HfTokenizer implements Tokenizer {
  /** One more than the largest token id (model vocabulary and added tokens). */
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosIds: readonly number[];
  /** Special tokens as strings (`bos_token`, `eos_token`, …, `additional_special_tokens`), as given to templates. */
  readonly specialTokens: Readonly<Record<string, string | string[]>>;
  /** The jinja chat template source, or null when the model has none. */
  readonly chatTemplate: string | null;
  private compiled: Template | null = null;

  private readonly tokenizerFile: string;
  private readonly templateFile: string;

  /**
   * @param inner the @huggingface/tokenizers tokenizer (`new Tokenizer(tokenizerJson, tokenizerConfig)`)
   * @param parts the rest of the model folder: see {@link HfTokenizerParts}
   * @throws InputFileError (naming parts.configFile) when `bos_token` / `eos_token` is not in the vocabulary
   */
  constructor(
    private readonly inner: CoreTokenizer,
    parts: HfTokenizerParts,
  ) {
    const { configFile, specialTokens, chatTemplate, extraEosIds = [] } = parts;
    this.tokenizerFile = parts.tokenizerFile;
    this.templateFile = parts.templateFile ?? configFile;
    let maxId = -1;
    for (const id of inner.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.specialTokens = specialTokens;
    this.chatTemplate = chatTemplate;
    const idOf = (key: string): number | null => {
      const token = specialTokens[key];
      if (typeof token !== 'string') return null;
      const id = inner.token_to_id(token);
      if (id === undefined) {
        throw new InputFileError(configFile, `${key} ${JSON.stringify(token)} is not in the vocabulary`);
      }
      return id;
    };
    this.bosId = idOf('bos_token');
    const eos = idOf('eos_token');
    const extra = extraEosIds.filter((id) => Number.isInteger(id) && id >= 0 && id < this.vocabSize);
    this.eosIds = [...new Set([...(eos === null ? [] : [eos]), ...extra])];
  }

  /**
   * Text → ids, as the Rust crate's `encode(text, add_special_tokens)`.
   * @throws Error when the text holds a character the tokenizer cannot represent and it has no unknown token
   * @throws InputFileError naming tokenizer.json when its pipeline fails or yields ids outside the vocabulary
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = this.guard('encode', () => this.inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids);
    if (!ids.every((id) => Number.isInteger(id))) {
      throw new Error(`${this.tokenizerFile}: the text has a character with no token and there is no unk_token`);
    }
    const outside = ids.find((id) => id < 0 || id >= this.vocabSize);
    if (outside !== undefined) {
      const problem = `encoding gave token id ${outside}, outside the vocabulary [0, ${this.vocabSize}) (check unk_id/unk_token and the post-processor's ids)`;
      throw new InputFileError(this.tokenizerFile, problem);
    }
    return ids;
  }

  /**
   * Ids → text, as the Rust crate's `decode(ids, skip_special_tokens)`.
   * @throws RangeError when an id is not an integer in [0, vocabSize)
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const known: number[] = [];
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        const range = `[0, ${this.vocabSize})`;
        throw new RangeError(`token id ${id} is outside the vocabulary ${range} of ${this.tokenizerFile}`);
      }
      if (this.inner.id_to_token(id) !== undefined) known.push(id);
    }
    if (known.length === 0) return '';
    return this.guard('decode', () => this.inner.decode(known, {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: false,
    }));
  }

  /**
   * Runs a call into @huggingface/tokenizers; what it throws (a TypeError from a malformed pipeline in
   * tokenizer.json) becomes an InputFileError naming tokenizer.json.
   */
  private guard<T>(what: string, call: () => T): T {
    try {
      return call();
    } catch (e) {
      throw new InputFileError(this.tokenizerFile, `cannot ${what} with this tokenizer (its pipeline is malformed): ${errorText(e)}`);
    }
  }

  /**
   * Renders the chat template with `messages`, `add_generation_prompt` and the special tokens, like transformers'
   * `apply_chat_template(tokenize=False)`; null when there is no template.
   * @throws InputFileError (naming the config file) when the template is not valid jinja
   * @throws Error when the template rejects the conversation (its `raise_exception`)
   */
  applyChatTemplate(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string | null {
    if (this.chatTemplate === null) return null;
    if (this.compiled === null) {
      try {
        const compiled = new Template('');
        compiled.parsed = parse(tokenize(toJinja2Whitespace(this.chatTemplate)));
        this.compiled = compiled;
      } catch (e) {
        const problem = `chat_template is not a template this app can read: ${errorText(e)}`;
        throw new InputFileError(this.templateFile, problem);
      }
    }
    try {
      return this.compiled.render({
        ...this.specialTokens,
        messages: messages.map((m) => ({ ...m })),
        add_generation_prompt: addGenerationPrompt,
      });
    } catch (e) {
      throw new Error(`chat template of ${this.templateFile} failed on this conversation: ${errorText(e)}`);
    }
  }
}

/** The files of a model folder a tokenizer is read from; tokenizer.json is required, the others optional. */
export const TOKENIZER_FILES = [
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'chat_template.jinja',
] as const;

/** The text of a model folder's tokenizer files, by file name (those absent from the folder left out). */
export type TokenizerFileTexts = Partial<Record<(typeof TOKENIZER_FILES)[number], string>>;

/**
 * Loads the tokenizer of a Hugging Face model folder: `tokenizer.json` (required), `tokenizer_config.json`,
 * `special_tokens_map.json` (its entries win over tokenizer_config.json's, as in transformers), `chat_template.jinja`
 * (wins over tokenizer_config.json's `chat_template`) and `generation_config.json` (`eos_token_id`: extra stop ids).
 * @param dir the model folder
 * @throws InputFileError naming the file when the folder or tokenizer.json is missing, a file is not valid JSON,
 *   or tokenizer.json is not a tokenizer
 */
export function loadHfTokenizer(dir: string): HfTokenizer {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputFileError(dir, 'no such folder (expected a Hugging Face model folder with tokenizer.json)');
  }
  const texts: TokenizerFileTexts = {};
  for (const name of TOKENIZER_FILES) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    try {
      texts[name] = readFileSync(file, 'utf8');
    } catch (e) {
      throw new InputFileError(file, `cannot be read: ${errorText(e)}`);
    }
  }
  return parseHfTokenizerFiles(texts, dir);
}

/**
 * Builds the tokenizer of a model folder from its files' text (the checks of loadHfTokenizer, without the disk).
 * @param texts the files' content by name; tokenizer.json must be there
 * @param dir the folder, joined with each file name in errors
 * @throws InputFileError naming the file, as loadHfTokenizer
 */
export function parseHfTokenizerFiles(texts: TokenizerFileTexts, dir: string): HfTokenizer {
  const tokenizerFile = join(dir, 'tokenizer.json');
  if (texts['tokenizer.json'] === undefined) {
    const hint = 'save the model with a fast tokenizer (transformers save_pretrained) to get one';
    throw new InputFileError(tokenizerFile, `missing: this folder has no tokenizer.json (${hint})`);
  }
  const json = parseJsonObject(texts['tokenizer.json'], tokenizerFile);
  if (!isObject(json.model)) {
    throw new InputFileError(tokenizerFile, 'not a tokenizer.json: it has no "model" object');
  }
  const added = json.added_tokens ?? [];
  const isAddedToken = (t: unknown) => isObject(t) && Number.isInteger(t.id) && typeof t.content === 'string';
  if (!Array.isArray(added) || !added.every(isAddedToken)) {
    const problem = 'not a tokenizer.json: "added_tokens" must be a list of {id, content} objects';
    throw new InputFileError(tokenizerFile, problem);
  }
  checkTokenIds(json.model, added, tokenizerFile);
  const optional = (name: (typeof TOKENIZER_FILES)[number]): Record<string, unknown> => {
    const text = texts[name];
    return text === undefined ? {} : parseJsonObject(text, join(dir, name));
  };
  const configFile = join(dir, 'tokenizer_config.json');
  const config = optional('tokenizer_config.json');
  const merged: Record<string, unknown> = { ...config, ...optional('special_tokens_map.json') };
  const specialTokens: Record<string, string | string[]> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const content = tokenContent(merged[key]);
    if (content !== null) specialTokens[key] = content;
  }
  const additional = Array.isArray(merged.additional_special_tokens) ? merged.additional_special_tokens : [];
  specialTokens.additional_special_tokens = additional.map(tokenContent).filter((t): t is string => t !== null);

  let inner: CoreTokenizer;
  try {
    // Serialisations older than tokenizers 0.9 may lack the null components the library insists on.
    const components = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null };
    inner = new HfCoreTokenizer({ ...components, ...json, added_tokens: added }, config);
  } catch (e) {
    throw new InputFileError(tokenizerFile, `not a tokenizer this app can load: ${errorText(e)}`);
  }
  const eosIds = optional('generation_config.json').eos_token_id;
  const extraEos = [eosIds].flat().filter((x): x is number => typeof x === 'number');
  const template = chatTemplateOf(dir, texts['chat_template.jinja'], configFile, config.chat_template);
  const tokenizer = new HfTokenizer(inner, {
    tokenizerFile,
    configFile,
    specialTokens,
    chatTemplate: template.source,
    templateFile: template.file,
    extraEosIds: extraEos,
  });
  // A malformed pipeline (normalizer, pre-tokenizer, post-processor, decoder) fails only when used: try it now.
  tokenizer.decode(tokenizer.encode('Hello world 1'));
  return tokenizer;
}

/**
 * The chat template: `chat_template.jinja` when the folder has one (transformers lets it override the config), else
 * tokenizer_config.json's `chat_template` (a string, or a list of {name, template} of which "default" is used).
 */
function chatTemplateOf(dir: string, jinja: string | undefined, configFile: string, value: unknown): { source: string | null; file: string } {
  if (jinja !== undefined) return { source: jinja, file: join(dir, 'chat_template.jinja') };
  if (value === undefined || value === null) return { source: null, file: configFile };
  if (typeof value === 'string') return { source: value, file: configFile };
  if (Array.isArray(value)) {
    const named = value.find((t) => isObject(t) && t.name === 'default');
    if (named && typeof named.template === 'string') return { source: named.template, file: configFile };
    throw new InputFileError(configFile, 'chat_template lists named templates but none is a "default" one');
  }
  throw new InputFileError(configFile, 'chat_template must be a string or a list of {name, template}');
}

/**
 * Largest token id accepted (exclusive): 2^21 = 2,097,152; the largest real vocabularies have about 260,000 tokens.
 * The tokenizer library allocates tables up to the largest id, so an absurd id (2^31) would freeze the app.
 */
export const MAX_TOKEN_ID = 1 << 21;

/**
 * Checks the ids of a tokenizer.json: `model.vocab` (an object token → id) and `added_tokens[].id` must be
 * integers in [0, MAX_TOKEN_ID); a Unigram `model.unk_id` must index its vocab list.
 * @throws InputFileError naming `file` and the first bad id
 */
function checkTokenIds(model: Record<string, unknown>, added: { id: number; content: string }[], file: string): void {
  const bad = (id: unknown): boolean => !Number.isInteger(id) || (id as number) < 0 || (id as number) >= MAX_TOKEN_ID;
  const { vocab, unk_id: unkId } = model;
  if (isObject(vocab)) {
    const wrong = Object.entries(vocab).find(([, id]) => bad(id));
    if (wrong) throw new InputFileError(file, `model.vocab gives token ${JSON.stringify(wrong[0])} the id ${JSON.stringify(wrong[1])}; ids must be integers in [0, ${MAX_TOKEN_ID})`);
  }
  const wrongAdded = added.find((t) => bad(t.id));
  if (wrongAdded) throw new InputFileError(file, `added token ${JSON.stringify(wrongAdded.content)} has the id ${wrongAdded.id}; ids must be integers in [0, ${MAX_TOKEN_ID})`);
  if (Array.isArray(vocab)) {
    if (vocab.length >= MAX_TOKEN_ID) throw new InputFileError(file, `model.vocab lists ${vocab.length} tokens, more than ${MAX_TOKEN_ID}`);
    if (unkId != null && (bad(unkId) || (unkId as number) >= vocab.length)) {
      throw new InputFileError(file, `model.unk_id ${JSON.stringify(unkId)} is not an index of model.vocab (${vocab.length} tokens)`);
    }
  }
}

/** Parses JSON text that must hold an object; throws InputFileError naming `file` otherwise. */
function parseJsonObject(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const problem = text.trim() === '' ? 'empty file, expected JSON' : `not valid JSON: ${errorText(e)}`;
    throw new InputFileError(file, problem);
  }
  if (!isObject(value)) throw new InputFileError(file, 'expected a JSON object');
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A special token given as a string or as an AddedToken object `{content: …}`. */
function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return isObject(value) && typeof value.content === 'string' ? value.content : null;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Python's whitespace (`str.isspace`, what jinja2's `\s` and `rstrip()` mean), as a regex class body. */
const WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRAILING_WS = new RegExp(`[${WS}]+$`);
const ONLY_WS = new RegExp(`^[${WS}]+$`);
/** Tag ends, tried at every position outside strings and brackets (jinja2's block_end / variable_end rules). */
const BLOCK_END = new RegExp(`\\+%\\}|-%\\}[${WS}]*|%\\}\\n?`, 'y');
const VARIABLE_END = new RegExp(`-\\}\\}[${WS}]*|\\}\\}`, 'y');
const COMMENT_END = new RegExp(`\\+#\\}|-#\\}[${WS}]*|#\\}\\n?`, 'g');
const RAW_BEGIN = new RegExp(`\\{%[-+]?[${WS}]*raw[${WS}]*(?:-%\\}[${WS}]*|%\\})`, 'y');
const RAW_END = new RegExp(`\\{%([-+]?)[${WS}]*endraw[${WS}]*(?:\\+%\\}|-%\\}[${WS}]*|%\\}\\n?)`, 'g');

/**
 * Rewrites a template so that @huggingface/jinja, lexing it with no whitespace options, renders what Python jinja2
 * renders with `trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False` (transformers' environment).
 * The library's own options are regex approximations that differ from jinja2 on `{%+`/`+%}`, `\r\n` line ends,
 * `%}` inside string literals, `{% raw %}` and text such as `-}` followed by a newline; here each rule is applied
 * as jinja2's lexer applies it: newlines normalised to `\n`, one trailing newline dropped, `-` signs strip Python
 * whitespace, a block/comment tag alone on its line loses its indentation (unless `{%+`), one newline after a
 * block/comment tag is dropped (unless `+%}`). Signs are removed, comments dropped, raw blocks become string
 * literals. Returns the rewritten template.
 * @throws SyntaxError when a tag, comment, string or raw block is not closed
 */
export function toJinja2Whitespace(template: string): string {
  const src = template.split(/\r\n|\r|\n/).join('\n').replace(/\n$/, '');
  let out = '';
  let pos = 0;
  let lineStarting = true;
  /** jinja2's data before a tag with whitespace sign `sign`; `isVariable`: the tag is `{{` (no lstrip). */
  const stripBefore = (text: string, sign: string, isVariable: boolean): string => {
    if (sign === '-') return text.replace(TRAILING_WS, '');
    if (sign === '+' || isVariable) return text;
    const lineStart = text.lastIndexOf('\n') + 1;
    const alone = (lineStart > 0 || lineStarting) && ONLY_WS.test(text.slice(lineStart));
    return alone ? text.slice(0, lineStart) : text;
  };
  // A `{` ending the data would merge with the next tag's `{`: write it as an expression.
  const emitData = (text: string): void => {
    out += text.endsWith('{') ? `${text.slice(0, -1)}{{ '{' }}` : text;
  };
  for (;;) {
    const start = nextTagStart(src, pos);
    if (start < 0) break;
    const kind = src[start + 1]!;
    const sign = src[start + 2] === '-' || src[start + 2] === '+' ? src[start + 2]! : '';
    emitData(stripBefore(src.slice(pos, start), sign, kind === '{'));
    RAW_BEGIN.lastIndex = start;
    const raw = kind === '%' ? RAW_BEGIN.exec(src) : null;
    let end: RegExpExecArray | null;
    if (raw) {
      RAW_END.lastIndex = start + raw[0].length;
      end = RAW_END.exec(src);
      if (!end) throw new SyntaxError('missing {% endraw %}');
      lineStarting = raw[0].endsWith('\n');
      const body = stripBefore(src.slice(start + raw[0].length, end.index), end[1]!, false);
      if (body !== '') out += `{{ '${body.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}' }}`;
    } else if (kind === '#') {
      COMMENT_END.lastIndex = start + 2 + sign.length;
      end = COMMENT_END.exec(src);
      if (!end) throw new SyntaxError('missing end of comment tag');
    } else {
      const bodyStart = start + 2 + sign.length;
      end = findTagEnd(src, bodyStart, kind === '%' ? BLOCK_END : VARIABLE_END);
      out += (kind === '%' ? '{%' : '{{') + src.slice(bodyStart, end.index) + (kind === '%' ? '%}' : '}}');
    }
    pos = end.index + end[0].length;
    lineStarting = end[0].endsWith('\n');
  }
  emitData(src.slice(pos));
  // @huggingface/jinja drops one trailing newline itself; jinja2 already dropped it above.
  return out.endsWith('\n') ? `${out}\n` : out;
}

/** Index of the next `{{`, `{%` or `{#` at or after `from`, or -1. */
function nextTagStart(src: string, from: number): number {
  for (let i = src.indexOf('{', from); i >= 0; i = src.indexOf('{', i + 1)) {
    const c = src[i + 1];
    if (c === '{' || c === '%' || c === '#') return i;
  }
  return -1;
}

/** Finds a tag's end from `from`, skipping string literals and anything inside (), [] or {}. */
function findTagEnd(src: string, from: number, endRule: RegExp): RegExpExecArray {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new SyntaxError(`unclosed string literal at offset ${i}`);
      i = j;
      continue;
    }
    if (depth === 0) {
      endRule.lastIndex = i;
      const m = endRule.exec(src);
      if (m) return m;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
  throw new SyntaxError(`unclosed tag at offset ${from - 2}`);
}
