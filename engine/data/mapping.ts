/**
 * Field mappings: which source field plays which part of a normalised record, validated with zod so the CLI
 * (`--task mcq --map question=goal,choices=sol1|sol2,answer=label`) and the UI can pass them.
 *
 * A field is named as in the file (headerless CSV/TSV: `col1`, `col2`, …); a dotted path reaches into nested
 * objects (`choices.text`).
 */
import { z } from 'zod';
import { DatasetMappingError } from './errors.ts';
import { TASK_TYPES, type ChatRole, type TaskType } from './types.ts';

const field = z.string().trim().min(1, 'a field name cannot be empty');
const idField = { id: field.optional() };

/**
 * How an mcq gold value names the correct choice: `index0` (0-based index), `index1` (1-based, e.g. MedMCQA
 * `cop`), `letter` (`A` = first choice; case-insensitive), `text` (the text of the correct choice).
 */
export const AnswerFormatSchema = z.enum(['index0', 'index1', 'letter', 'text']);
/** See {@link AnswerFormatSchema}. */
export type AnswerFormat = z.infer<typeof AnswerFormatSchema>;

/** mcq: `choices` lists one field per choice, or a single field holding an array of choice texts. */
export const McqMappingSchema = z.strictObject({
  task: z.literal('mcq'),
  question: field,
  choices: z.array(field).min(1),
  answer: field,
  answerFormat: AnswerFormatSchema,
  ...idField,
});

/**
 * yesno: `labels` are the label strings in choice order (e.g. `['yes','no','maybe']`); the answer field's value
 * is matched to them case-insensitively (booleans: true → `yes`, false → `no`). `context` may be a string or a
 * list of strings (joined with newlines, as PubMedQA `CONTEXTS`).
 */
export const YesNoMappingSchema = z.strictObject({
  task: z.literal('yesno'),
  question: field,
  context: field.optional(),
  answer: field,
  labels: z.array(z.string().trim().min(1)).min(2),
  ...idField,
});

/** instruction: Alpaca layout; `input` optional (missing or null input becomes ''). */
export const InstructionMappingSchema = z.strictObject({
  task: z.literal('instruction'),
  instruction: field,
  input: field.optional(),
  output: field,
  ...idField,
});

/** The roles a chat mapping can map source roles to. */
export const ChatRoleSchema = z.enum(['system', 'user', 'assistant']);

/**
 * chat: `messages` is a field holding a list of turns (ShareGPT `conversations` with `from`/`value`, OpenAI
 * `messages` with `role`/`content`). `roleKey`/`contentKey` default to whichever of `from`/`role` and
 * `value`/`content`/`text` a turn has; `roles` maps source role names to roles, over {@link DEFAULT_CHAT_ROLES};
 * `system` is an optional top-level field holding a system prompt.
 */
export const ChatMappingSchema = z.strictObject({
  task: z.literal('chat'),
  messages: field,
  roleKey: field.optional(),
  contentKey: field.optional(),
  roles: z.record(z.string(), ChatRoleSchema).optional(),
  system: field.optional(),
  ...idField,
});

/** text: one field holding the text. */
export const TextMappingSchema = z.strictObject({ task: z.literal('text'), text: field, ...idField });

/** A complete mapping of any task type, discriminated by `task`. */
export const DatasetMappingSchema = z.discriminatedUnion('task', [
  McqMappingSchema,
  YesNoMappingSchema,
  InstructionMappingSchema,
  ChatMappingSchema,
  TextMappingSchema,
]);

/** A complete mapping (see {@link DatasetMappingSchema}). */
export type DatasetMapping = z.infer<typeof DatasetMappingSchema>;
/** The mapping of one task type. */
export type MappingOf<T extends TaskType> = Extract<DatasetMapping, { task: T }>;

/** A user's partial mapping: the task plus any fields they want to fix; detection fills in the rest. */
export const MappingOverrideSchema = z.discriminatedUnion('task', [
  McqMappingSchema.partial().required({ task: true }),
  YesNoMappingSchema.partial().required({ task: true }),
  InstructionMappingSchema.partial().required({ task: true }),
  ChatMappingSchema.partial().required({ task: true }),
  TextMappingSchema.partial().required({ task: true }),
]);
/** See {@link MappingOverrideSchema}. */
export type MappingOverride = z.infer<typeof MappingOverrideSchema>;

/** Source role names understood without a mapping (ShareGPT, OpenAI, and common variants). */
export const DEFAULT_CHAT_ROLES: Readonly<Record<string, ChatRole>> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  agent: 'assistant',
  chatgpt: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  model: 'assistant',
  bot: 'assistant',
};

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/**
 * Validates a complete mapping (from the UI, a saved dataset, …).
 * @throws DatasetMappingError listing every problem
 */
export function parseMapping(value: unknown): DatasetMapping {
  const r = DatasetMappingSchema.safeParse(value);
  if (!r.success) throw new DatasetMappingError(`invalid dataset mapping: ${issuesText(r.error)}`);
  return r.data;
}

/**
 * Validates a partial mapping.
 * @throws DatasetMappingError listing every problem (unknown task, unknown key, empty field name, …)
 */
export function parseMappingOverride(value: unknown): MappingOverride {
  const task = (value as { task?: unknown } | null)?.task;
  if (!TASK_TYPES.includes(task as TaskType)) {
    throw new DatasetMappingError(`unknown task type ${JSON.stringify(task)} (expected one of ${TASK_TYPES.join(', ')})`);
  }
  const r = MappingOverrideSchema.safeParse(value);
  if (!r.success) throw new DatasetMappingError(`invalid dataset mapping: ${issuesText(r.error)}`);
  return r.data;
}

const LIST_KEYS = new Set(['choices', 'labels']);

/**
 * Parses the CLI form of a mapping: `--task mcq --map question=goal,choices=sol1|sol2,answer=label`.
 * Pairs are `key=value` separated by commas; `choices` and `labels` take `|`-separated lists; `roles` takes
 * `source:role` pairs separated by `|` (`roles=human:user|bot:assistant`).
 * @param task the task type (`mcq`, `yesno`, `instruction`, `chat`, `text`)
 * @param map the `--map` string; may be empty or undefined
 * @throws DatasetMappingError when a pair is malformed, repeated, or the result is not a valid partial mapping
 */
export function parseMappingArgs(task: string, map?: string): MappingOverride {
  const out: Record<string, unknown> = { task };
  for (const pair of (map ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new DatasetMappingError(`invalid --map pair "${pair}": expected key=value`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (key in out) throw new DatasetMappingError(`--map names "${key}" twice`);
    if (LIST_KEYS.has(key)) out[key] = value.split('|').map((v) => v.trim());
    else if (key === 'roles') {
      const roles: Record<string, string> = {};
      for (const p of value.split('|')) {
        const [from, to, ...rest] = p.split(':').map((s) => s.trim());
        if (!from || !to || rest.length > 0) throw new DatasetMappingError(`invalid role pair "${p}": expected source:role`);
        roles[from] = to;
      }
      out[key] = roles;
    } else out[key] = value;
  }
  return parseMappingOverride(out);
}
