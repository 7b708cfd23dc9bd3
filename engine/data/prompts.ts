/**
 * Prompt formatting: a normalised record → a training example (loss on the target only) and, for mcq/yesno, a
 * loglikelihood scoring example (lm-evaluation-harness style, DESIGN.md §2: context + target delimiter + each
 * full choice). Chat records use the tokenizer's chat template when it has one, else a plain User:/Assistant:
 * format (see templates.ts).
 */
import type { ChatMessage, Tokenizer } from '../io/tokenizer.ts';
import { DEFAULT_TEMPLATES, fillTemplate, type PromptTemplates } from './templates.ts';
import type { ChatRecord, McqRecord, NormalisedMessage, NormalisedRecord, YesNoRecord } from './types.ts';

/** A piece of a training text; `loss` marks the pieces the model learns to produce. */
export interface Segment {
  text: string;
  loss: boolean;
  /** Append the tokenizer's EOS after this piece when tokenizing (end of an answer in a format without end markers). */
  eos: boolean;
}

/**
 * A training example. `prompt + target` is the text of the last (or only) answer with everything before it;
 * `segments` is the whole example in order (for a multi-turn chat every assistant turn has loss), and is what a
 * trainer should tokenize: concatenating the segment texts gives the full text.
 */
export interface TrainingExample {
  prompt: string;
  target: string;
  /** Append EOS after the target (true except for raw text and chat templates, which carry their own end marks). */
  eos: boolean;
  segments: Segment[];
  /** How a chat was rendered; `plain` for every other task. */
  format: 'plain' | 'chat-template';
}

/** A loglikelihood scoring example: score each continuation given the context; `gold` indexes the right one. */
export interface ScoringExample {
  context: string;
  /** targetDelimiter + choice text, one per choice. */
  continuations: string[];
  /** The choice texts without the delimiter (acc_norm divides by their length in characters). */
  choices: string[];
  gold: number;
}

/** Options of the formatting functions. */
export interface FormatOptions {
  /** Templates (default {@link DEFAULT_TEMPLATES}); build with resolveTemplates to validate user edits. */
  templates?: PromptTemplates;
  /** When given and it has a chat template, chat records are rendered with it. */
  tokenizer?: Pick<Tokenizer, 'applyChatTemplate'>;
}

function lettered(choices: readonly string[]): string {
  return choices.map((c, i) => `${String.fromCharCode(65 + i)}. ${c}`).join('\n');
}

/**
 * The scoring context of an mcq or yesno record (the prompt that precedes each continuation).
 * @throws DatasetMappingError when a template uses an unknown placeholder
 */
export function contextOf(record: McqRecord | YesNoRecord, templates: PromptTemplates = DEFAULT_TEMPLATES): string {
  if (record.task === 'mcq') return fillTemplate(templates.mcq, { question: record.question, choices: lettered(record.choices) });
  const labels = record.choices.join('/');
  if (record.context !== undefined) {
    return fillTemplate(templates.yesnoWithContext, { context: record.context, question: record.question, labels });
  }
  return fillTemplate(templates.yesno, { question: record.question, labels });
}

/**
 * The loglikelihood scoring form of an mcq or yesno record: context, one continuation per choice
 * (`targetDelimiter + choice`), and the gold index.
 * @throws DatasetMappingError when a template uses an unknown placeholder
 */
export function toScoringExample(record: McqRecord | YesNoRecord, templates: PromptTemplates = DEFAULT_TEMPLATES): ScoringExample {
  return {
    context: contextOf(record, templates),
    continuations: record.choices.map((c) => templates.targetDelimiter + c),
    choices: [...record.choices],
    gold: record.answer,
  };
}

function single(prompt: string, target: string, eos: boolean): TrainingExample {
  const segments: Segment[] = [];
  if (prompt !== '') segments.push({ text: prompt, loss: false, eos: false });
  segments.push({ text: target, loss: true, eos });
  return { prompt, target, eos, segments, format: 'plain' };
}

/** Messages up to and including the last assistant turn (trailing user turns teach nothing). */
function upToLastAssistant(messages: readonly NormalisedMessage[]): NormalisedMessage[] {
  let last = messages.length - 1;
  while (last >= 0 && messages[last].role !== 'assistant') last--;
  return messages.slice(0, last + 1);
}

function plainChat(record: ChatRecord, t: PromptTemplates): TrainingExample {
  const segments: Segment[] = [];
  let pending = '';
  for (const m of upToLastAssistant(record.messages)) {
    if (m.role === 'assistant') {
      segments.push({ text: pending + t.chatAssistant, loss: false, eos: false });
      segments.push({ text: t.targetDelimiter + m.content, loss: true, eos: true });
      pending = '\n';
    } else pending += fillTemplate(m.role === 'system' ? t.chatSystem : t.chatUser, { content: m.content });
  }
  return fromSegments(segments, true, 'plain');
}

function fromSegments(segments: Segment[], eos: boolean, format: TrainingExample['format']): TrainingExample {
  const last = segments.length - 1;
  const nonEmpty = segments.filter((s) => s.text !== '' || s.loss);
  return { prompt: segments.slice(0, last).map((s) => s.text).join(''), target: segments[last].text, eos, segments: nonEmpty, format };
}

/**
 * Renders a chat with the tokenizer's template, turn by turn: the text before each assistant reply is the
 * template with the generation prompt, the reply is what the next rendering adds. Returns null when the tokenizer
 * has no template or the template does not render conversations incrementally (then the plain format is used).
 */
function templatedChat(record: ChatRecord, tokenizer: Pick<Tokenizer, 'applyChatTemplate'>): TrainingExample | null {
  const messages = upToLastAssistant(record.messages);
  const segments: Segment[] = [];
  let done = '';
  for (let i = 0; i < messages.length; i++) {
    if (messages[i].role !== 'assistant') continue;
    const before = tokenizer.applyChatTemplate(messages.slice(0, i) as ChatMessage[], true);
    const after = tokenizer.applyChatTemplate(messages.slice(0, i + 1) as ChatMessage[], false);
    if (before === null || after === null) return null;
    if (!before.startsWith(done) || !after.startsWith(before)) return null;
    segments.push({ text: before.slice(done.length), loss: false, eos: false });
    segments.push({ text: after.slice(before.length), loss: true, eos: false });
    done = after;
  }
  return fromSegments(segments, false, 'chat-template');
}

/**
 * The training form of any record. mcq/yesno: prompt = scoring context, target = delimiter + gold choice;
 * instruction: Alpaca prompt, target = output; chat: chat template if available, else plain format, with loss on
 * every assistant turn; text: empty prompt, target = the text (no EOS).
 * @throws DatasetMappingError when a template uses an unknown placeholder
 */
export function toTrainingExample(record: NormalisedRecord, options: FormatOptions = {}): TrainingExample {
  const t = options.templates ?? DEFAULT_TEMPLATES;
  switch (record.task) {
    case 'mcq':
    case 'yesno':
      return single(contextOf(record, t), t.targetDelimiter + record.choices[record.answer], true);
    case 'instruction': {
      const prompt = record.input.trim() === ''
        ? fillTemplate(t.instruction, { instruction: record.instruction })
        : fillTemplate(t.instructionWithInput, { instruction: record.instruction, input: record.input });
      return single(prompt, record.output, true);
    }
    case 'chat':
      return (options.tokenizer && templatedChat(record, options.tokenizer)) || plainChat(record, t);
    case 'text':
      return single('', record.text, false);
  }
}
