/**
 * The tokenizer contract shared by every tokenizer the engine loads (llama2.c `tokenizer.bin`, Hugging Face
 * `tokenizer.json`). Token ids are non-negative integers below `vocabSize`.
 */

/** One chat message, OpenAI/Hugging Face style. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | (string & {});
  content: string;
}

/** Options of Tokenizer.encode. */
export interface EncodeOptions {
  /** Add the tokenizer's special tokens (BOS for Llama-style tokenizers). Default true. */
  addSpecialTokens?: boolean;
}

/** Options of Tokenizer.decode. */
export interface DecodeOptions {
  /** Leave special tokens (BOS, EOS, chat markers) out of the text. Default false. */
  skipSpecialTokens?: boolean;
}

/** A text ⇄ token-id codec with the model's special tokens and (optionally) its chat template. */
export interface Tokenizer {
  /** Number of token ids, e.g. 512 for stories260K's tok512. */
  readonly vocabSize: number;
  /** Beginning-of-sequence id, or null when the tokenizer has none (GPT-2). */
  readonly bosId: number | null;
  /** End-of-sequence ids (a chat model may have several, e.g. `</s>` and `<|im_end|>`). */
  readonly eosIds: readonly number[];
  /** Text → ids. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Ids → text. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /**
   * Renders a conversation with the model's chat template, or null when the tokenizer has none.
   * @param addGenerationPrompt append the assistant-turn opener so the model answers next.
   */
  applyChatTemplate(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string | null;
}
