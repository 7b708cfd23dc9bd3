/**
 * Task-type and field-mapping detection. Tries, in order, chat → mcq → yesno → instruction → text, and proposes
 * the first mapping that fits the records; a user's partial mapping (task + some fields) fixes the task and those
 * fields, and detection fills in the rest.
 */
import { DatasetMappingError } from './errors.ts';
import { asText, getField } from './fields.ts';
import { fieldIs, fieldMostly, findField, inferAnswerFormat, inventory, norm, siblingGroups, TEXT_KINDS, type FieldInventory } from './detect-fields.ts';
import { DEFAULT_CHAT_ROLES, parseMapping, type DatasetMapping, type MappingOf, type MappingOverride } from './mapping.ts';
import type { ChatRole, RawRecord, TaskType } from './types.ts';

/** What detection proposes: the task type, a complete mapping, and notes on guesses the user may want to check. */
export interface MappingProposal {
  taskType: TaskType;
  mapping: DatasetMapping;
  notes: string[];
}

type Fixed<T extends TaskType> = Partial<MappingOf<T>>;
type Found = { mapping: DatasetMapping; notes: string[] } | null;

const ID = ['id', 'uid', 'qid', 'pmid', 'key', 'questionid', 'exampleid'];
const CHAT = ['conversations', 'messages', 'conversation', 'dialog', 'dialogue', 'turns', 'chat'];
const QUESTION = ['question', 'goal', 'query', 'prompt', 'stem', 'ctx', 'sentence', 'premise', 'problem', 'text', 'input'];
const CHOICE_ARRAY = ['choices', 'options', 'endings', 'answers', 'candidates'];
const MCQ_ANSWER = ['answer', 'label', 'labellst', 'cop', 'gold', 'answerkey', 'answeridx', 'answerindex', 'correct', 'correctanswer', 'correctoption', 'target'];
const YN_ANSWER = ['finaldecision', 'answer', 'label', 'labellst', 'decision', 'gold', 'target'];
const YN_QUESTION = ['question', 'text', 'sentence', 'statement', 'claim', 'query', 'prompt', 'input', 'hypothesis', 'premise'];
const YN_CONTEXT = ['context', 'contexts', 'passage', 'abstract', 'document', 'paragraph', 'support', 'evidence', 'background'];
const INSTRUCTION = ['instruction', 'prompt', 'question', 'query'];
const OUTPUT = ['output', 'response', 'completion', 'answer', 'target', 'chosen'];
const INPUT = ['input', 'context'];
const TEXT = ['text', 'content', 'document', 'story', 'body', 'passage', 'article'];

/** An example --map for each task type, for messages. */
const MAP_EXAMPLES: Record<TaskType, string> = {
  mcq: 'question=…,choices=a|b|c,answer=…',
  yesno: 'question=…,answer=…[,context=…]',
  instruction: 'instruction=…,output=…[,input=…]',
  chat: 'messages=…',
  text: 'text=…',
};

function idOf(inv: FieldInventory, fixed: { id?: string }): { id?: string } {
  const id = fixed.id ?? findField(inv, ID, (n) => fieldIs(inv, n, 'string', 'integer'));
  return id === undefined ? {} : { id };
}

function detectChat(records: readonly RawRecord[], inv: FieldInventory, fixed: Fixed<'chat'>): Found {
  const messages = fixed.messages ?? findField(inv, CHAT, (n) => fieldIs(inv, n, 'objects'));
  if (messages === undefined) return null;
  const turns = records.flatMap((r) => {
    const v = getField(r.fields, messages);
    return Array.isArray(v) ? (v.filter((t) => typeof t === 'object' && t !== null) as Record<string, unknown>[]) : [];
  });
  if (turns.length === 0) return null;
  const roleKey = fixed.roleKey ?? ['from', 'role', 'speaker'].find((k) => k in turns[0]);
  const contentKey = fixed.contentKey ?? ['value', 'content', 'text'].find((k) => k in turns[0]);
  if (roleKey === undefined || contentKey === undefined) return null;
  const notes: string[] = [];
  const roles: Record<string, ChatRole> = {};
  for (const t of turns) {
    const role = asText(t[roleKey]);
    if (role === undefined || role in roles) continue;
    const mapped = fixed.roles?.[role] ?? DEFAULT_CHAT_ROLES[role.toLowerCase()];
    if (mapped) roles[role] = mapped;
    else if (!notes.some((n) => n.includes(`"${role}"`))) notes.push(`unknown chat role "${role}": records using it are skipped unless roles maps it`);
  }
  const system = fixed.system ?? findField(inv, ['system', 'systemprompt'], (n) => fieldIs(inv, n, 'string'));
  const mapping: DatasetMapping = { task: 'chat', messages, roleKey, contentKey, roles, ...(system ? { system } : {}), ...idOf(inv, fixed) };
  return { mapping, notes };
}

/** Headerless CSV (`col1`…): the gold is the last column of single letters; the choices are the columns before it. */
function headerlessMcq(records: readonly RawRecord[], inv: FieldInventory): Fixed<'mcq'> {
  if (!inv.names.every((n) => /^col\d+$/.test(n))) return {};
  const answer = [...inv.names].reverse().find((n) => inferAnswerFormat(records, n, [])?.format === 'letter');
  if (answer === undefined) return {};
  const letters = records.map((r) => (asText(getField(r.fields, answer)) ?? 'A').trim().toUpperCase().charCodeAt(0) - 65);
  const k = Math.max(2, letters.reduce((a, b) => Math.max(a, b), 0) + 1);
  const at = Number(answer.slice(3));
  if (at - k < 2) return {};
  const choices = Array.from({ length: k }, (_, i) => `col${at - k + i}`);
  return { question: `col${at - k - 1}`, choices, answer, answerFormat: 'letter' };
}

function detectMcq(records: readonly RawRecord[], inv: FieldInventory, given: Fixed<'mcq'>): Found {
  const fixed = { ...headerlessMcq(records, inv), ...given };
  const notes: string[] = [];
  let choices = fixed.choices;
  let answer = fixed.answer;
  if (choices === undefined) {
    const arr = findField(inv, CHOICE_ARRAY, (n) => fieldMostly(inv, n, 'strings'));
    const nested = findField(inv, CHOICE_ARRAY, (n) => fieldIs(inv, n, 'object') && Array.isArray(getField(records[0].fields, `${n}.text`)));
    const group = siblingGroups(inv).find((g) => !g.includes(fixed.question ?? '') && !g.includes(answer ?? ''));
    if (arr !== undefined) choices = [arr];
    else if (nested !== undefined) choices = [`${nested}.text`];
    else if (group !== undefined) {
      choices = group;
      if (answer === undefined && /distractor|incorrect|wrong/i.test(group[0])) {
        answer = findField(inv, ['correctanswer', 'correct', 'answer'], (n) => fieldIs(inv, n, 'string'), group);
        if (answer !== undefined) choices = [...group, answer];
      }
    }
  }
  if (choices === undefined) return null;
  const question = fixed.question ?? findField(inv, QUESTION, (n) => fieldIs(inv, n, 'string'), choices);
  if (question === undefined) return null;
  let answerFormat = fixed.answerFormat;
  const taken = [...choices.map((c) => c.split('.')[0]), question];
  if (answer === undefined) {
    for (const c of MCQ_ANSWER) {
      const name = inv.names.find((n) => norm(n) === c && !taken.includes(n) && inferAnswerFormat(records, n, choices) !== null);
      if (name !== undefined) {
        answer = name;
        break;
      }
    }
  }
  if (answer === undefined) return null;
  if (answerFormat === undefined && choices.includes(answer)) answerFormat = 'text';
  if (answerFormat === undefined) {
    const inferred = inferAnswerFormat(records, answer, choices);
    if (inferred === null) return null;
    answerFormat = inferred.format;
    if (inferred.note) notes.push(inferred.note);
  }
  const mapping: DatasetMapping = { task: 'mcq', question, choices, answer, answerFormat, ...idOf(inv, fixed) };
  return { mapping, notes };
}

/** The yes/no/maybe labels a field holds, in that order with the dataset's spelling; null when it holds others. */
function yesNoLabels(records: readonly RawRecord[], name: string): string[] | null {
  const spelled = new Map<string, string>();
  for (const r of records) {
    const v = getField(r.fields, name);
    if (v === undefined || v === null) continue;
    if (typeof v === 'boolean') spelled.set(v ? 'yes' : 'no', spelled.get(v ? 'yes' : 'no') ?? (v ? 'yes' : 'no'));
    else if (typeof v === 'string' && ['yes', 'no', 'maybe'].includes(v.trim().toLowerCase())) {
      const key = v.trim().toLowerCase();
      if (!spelled.has(key)) spelled.set(key, v.trim());
    } else return null;
  }
  if (spelled.size === 0) return null;
  const upper = [...spelled.values()].every((s) => /^[A-Z]/.test(s));
  const fill = (w: string): string => spelled.get(w) ?? (upper ? w[0].toUpperCase() + w.slice(1) : w);
  return spelled.has('maybe') ? ['yes', 'no', 'maybe'].map(fill) : ['yes', 'no'].map(fill);
}

function detectYesNo(records: readonly RawRecord[], inv: FieldInventory, fixed: Fixed<'yesno'>): Found {
  const answer = fixed.answer ?? findField(inv, YN_ANSWER, (n) => yesNoLabels(records, n) !== null);
  if (answer === undefined) return null;
  const labels = fixed.labels ?? yesNoLabels(records, answer);
  if (labels === null) return null;
  const question = fixed.question ?? findField(inv, YN_QUESTION, (n) => fieldIs(inv, n, 'string'), [answer]);
  if (question === undefined) return null;
  const context = fixed.context ?? findField(inv, YN_CONTEXT, (n) => fieldIs(inv, n, 'string', 'strings'), [answer, question]);
  const mapping: DatasetMapping = { task: 'yesno', question, ...(context ? { context } : {}), answer, labels, ...idOf(inv, fixed) };
  return { mapping, notes: [] };
}

/** Alpaca-style records: the instruction is a string; the output and the input may be any text value (`"output": 42`). */
function detectInstruction(inv: FieldInventory, fixed: Fixed<'instruction'>): Found {
  const instruction = fixed.instruction ?? findField(inv, INSTRUCTION, (n) => fieldIs(inv, n, 'string'));
  if (instruction === undefined) return null;
  const output = fixed.output ?? findField(inv, OUTPUT, (n) => fieldIs(inv, n, ...TEXT_KINDS), [instruction]);
  if (output === undefined) return null;
  const input = fixed.input ?? findField(inv, INPUT, (n) => fieldIs(inv, n, ...TEXT_KINDS), [instruction, output]);
  const mapping: DatasetMapping = { task: 'instruction', instruction, ...(input ? { input } : {}), output, ...idOf(inv, fixed) };
  return { mapping, notes: [] };
}

function detectText(inv: FieldInventory, fixed: Fixed<'text'>): Found {
  const strings = inv.names.filter((n) => fieldIs(inv, n, 'string'));
  const text = fixed.text ?? findField(inv, TEXT, (n) => fieldIs(inv, n, 'string')) ?? (strings.length === 1 ? strings[0] : undefined);
  if (text === undefined) return null;
  return { mapping: { task: 'text', text, ...idOf(inv, fixed) }, notes: [] };
}

function detectTask(task: TaskType, records: readonly RawRecord[], inv: FieldInventory, fixed: Record<string, unknown>): Found {
  switch (task) {
    case 'chat': return detectChat(records, inv, fixed as Fixed<'chat'>);
    case 'mcq': return detectMcq(records, inv, fixed as Fixed<'mcq'>);
    case 'yesno': return detectYesNo(records, inv, fixed as Fixed<'yesno'>);
    case 'instruction': return detectInstruction(inv, fixed as Fixed<'instruction'>);
    case 'text': return detectText(inv, fixed as Fixed<'text'>);
  }
}

/**
 * Proposes a task type and field mapping for raw records (all of them are looked at for answer formats and labels).
 * @param file the dataset path, for messages
 * @param hint a partial mapping from the user: its task is used and its fields are kept; the rest is detected
 * @throws DatasetMappingError naming the file and the fields seen when no task fits (or the hinted task cannot be
 *   completed), so the user can pass an explicit mapping
 */
export function detectMapping(records: readonly RawRecord[], file: string, hint?: MappingOverride): MappingProposal {
  if (records.length === 0) throw new DatasetMappingError(`${file}: no records to detect a mapping from`);
  const inv = inventory(records);
  const seen = `fields seen: ${inv.names.slice(0, 20).join(', ')}`;
  const tasks: TaskType[] = hint ? [hint.task] : ['chat', 'mcq', 'yesno', 'instruction', 'text'];
  for (const task of tasks) {
    const found = detectTask(task, records, inv, { ...(hint ?? {}) });
    if (!found) continue;
    try {
      return { taskType: task, mapping: parseMapping(found.mapping), notes: found.notes };
    } catch (e) {
      // A guess the mapping rules refuse (e.g. a field named ""): not this task.
      if (!(e instanceof DatasetMappingError)) throw e;
    }
  }
  if (hint) {
    throw new DatasetMappingError(
      `${file}: cannot complete the ${hint.task} mapping from the fields given (${JSON.stringify(hint)}); ${seen}. ` +
        `Name the missing fields with --map (e.g. ${MAP_EXAMPLES[hint.task]}).`,
    );
  }
  throw new DatasetMappingError(`${file}: cannot tell the task type (${seen}). Pass --task and --map.`);
}
