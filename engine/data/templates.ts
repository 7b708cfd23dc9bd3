/**
 * Editable prompt templates, one set per dataset, with defaults (DESIGN.md §2). A template is text with
 * `{name}` placeholders; `{{` and `}}` stand for literal braces.
 */
import { z } from 'zod';
import { DatasetMappingError } from './errors.ts';

/** The templates used to turn records into prompts. */
export interface PromptTemplates {
  /** mcq context; placeholders `{question}`, `{choices}` (lettered lines `A. …`). Scored against each full choice. */
  mcq: string;
  /** yesno context without a passage; placeholders `{question}`, `{labels}` (e.g. `yes/no/maybe`). */
  yesno: string;
  /** yesno context with a passage; placeholders `{context}`, `{question}`, `{labels}`. */
  yesnoWithContext: string;
  /** instruction prompt when the input is empty; placeholder `{instruction}`. */
  instruction: string;
  /** instruction prompt with an input; placeholders `{instruction}`, `{input}`. */
  instructionWithInput: string;
  /** Plain chat format (used when the tokenizer has no chat template): a system turn; placeholder `{content}`. */
  chatSystem: string;
  /** Plain chat format: a user turn; placeholder `{content}`. */
  chatUser: string;
  /** Plain chat format: what opens an assistant turn; the reply follows after `targetDelimiter`. */
  chatAssistant: string;
  /** Put between a prompt and its target/continuation (lm-evaluation-harness `target_delimiter`). */
  targetDelimiter: string;
}

const ALPACA_HEAD = 'Below is an instruction that describes a task';

/** Default templates: TrimLLM/harness-style mcq and yesno, Alpaca instruction, `User:`/`Assistant:` chat. */
export const DEFAULT_TEMPLATES: Readonly<PromptTemplates> = {
  mcq: 'Question: {question}\nAnswer:',
  yesno: 'Question: {question}\nAnswer:',
  yesnoWithContext: '{context}\nQuestion: {question}\nAnswer:',
  instruction: `${ALPACA_HEAD}. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n`,
  instructionWithInput:
    `${ALPACA_HEAD}, paired with an input that provides further context. Write a response that appropriately completes ` +
    'the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n',
  chatSystem: 'System: {content}\n',
  chatUser: 'User: {content}\n',
  chatAssistant: 'Assistant:',
  targetDelimiter: ' ',
};

/** Placeholders each template may use. */
export const TEMPLATE_PLACEHOLDERS: Readonly<Record<keyof PromptTemplates, readonly string[]>> = {
  mcq: ['question', 'choices'],
  yesno: ['question', 'labels'],
  yesnoWithContext: ['context', 'question', 'labels'],
  instruction: ['instruction'],
  instructionWithInput: ['instruction', 'input'],
  chatSystem: ['content'],
  chatUser: ['content'],
  chatAssistant: [],
  targetDelimiter: [],
};

const PLACEHOLDER = /\{\{|\}\}|\{([^{}]*)\}/g;

/** Placeholder names used by a template, in order (escaped braces excluded). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].filter((m) => m[1] !== undefined).map((m) => m[1]);
}

/**
 * Fills `{name}` placeholders.
 * @throws DatasetMappingError naming the placeholder when the template uses one `values` lacks
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (m, name: string | undefined) => {
    if (name === undefined) return m[0];
    if (!Object.hasOwn(values, name)) {
      throw new DatasetMappingError(`template uses unknown placeholder {${name}} (available: ${Object.keys(values).map((k) => `{${k}}`).join(', ') || 'none'})`);
    }
    return values[name];
  });
}

/** Partial templates as the UI or CLI sends them (unknown keys are refused). */
export const PromptTemplatesSchema = z.strictObject({
  mcq: z.string(),
  yesno: z.string(),
  yesnoWithContext: z.string(),
  instruction: z.string(),
  instructionWithInput: z.string(),
  chatSystem: z.string(),
  chatUser: z.string(),
  chatAssistant: z.string(),
  targetDelimiter: z.string(),
}).partial();

/**
 * Defaults overridden by a user's (partial) templates, validated: known keys only, and each template uses only
 * its own placeholders.
 * @throws DatasetMappingError listing the problems
 */
export function resolveTemplates(overrides: unknown = {}): PromptTemplates {
  const r = PromptTemplatesSchema.safeParse(overrides);
  if (!r.success) throw new DatasetMappingError(`invalid prompt templates: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const t: PromptTemplates = { ...DEFAULT_TEMPLATES, ...r.data };
  const bad = (Object.keys(t) as (keyof PromptTemplates)[]).flatMap((k) =>
    placeholdersOf(t[k])
      .filter((p) => !TEMPLATE_PLACEHOLDERS[k].includes(p))
      .map((p) => `${k} uses {${p}} (allowed: ${TEMPLATE_PLACEHOLDERS[k].map((x) => `{${x}}`).join(', ') || 'none'})`),
  );
  if (bad.length > 0) throw new DatasetMappingError(`invalid prompt templates: ${bad.join('; ')}`);
  return t;
}
