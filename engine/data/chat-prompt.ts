/**
 * The prompt of the next assistant turn of a conversation: the tokenizer's chat template when it has one
 * (Tokenizer.applyChatTemplate, with the generation prompt), else the plain `User:` / `Assistant:` format of
 * the prompt templates (templates.ts), with a stop string so the model does not write the user's next turn.
 */
import type { ChatMessage, Tokenizer } from '../io/tokenizer.ts';
import { DEFAULT_TEMPLATES, fillTemplate, type PromptTemplates } from './templates.ts';

/** A rendered chat prompt. */
export interface ChatPrompt {
  /** Text to encode (with the tokenizer's special tokens when `addSpecialTokens`). */
  text: string;
  /** Whether encode() should add BOS: false for a chat template, which writes its own. */
  addSpecialTokens: boolean;
  /** Strings that end the assistant's turn. */
  stopStrings: string[];
}

/** Renders the prompt that asks the model for the next assistant message. */
export function renderChatPrompt(
  tokenizer: Tokenizer,
  messages: readonly ChatMessage[],
  templates: PromptTemplates = DEFAULT_TEMPLATES,
): ChatPrompt {
  const templated = tokenizer.applyChatTemplate(messages, true);
  if (templated !== null) return { text: templated, addSpecialTokens: false, stopStrings: [] };
  let text = '';
  for (const m of messages) {
    if (m.role === 'system') text += fillTemplate(templates.chatSystem, { content: m.content });
    else if (m.role === 'user') text += fillTemplate(templates.chatUser, { content: m.content });
    else text += `${templates.chatAssistant}${templates.targetDelimiter}${m.content}\n`;
  }
  const userOpener = fillTemplate(templates.chatUser, { content: '' }).trim();
  return { text: text + templates.chatAssistant, addSpecialTokens: true, stopStrings: [`\n${userOpener}`, `\n\n`] };
}
