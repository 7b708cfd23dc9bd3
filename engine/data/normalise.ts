/**
 * Applies a mapping to raw records. A record that does not fit (missing field, wrong type, gold out of range,
 * unknown chat role, empty output, …) is not normalised; the reason names the field.
 */
import { asInteger, asText, getField, kindOf, preview } from './fields.ts';
import { DEFAULT_CHAT_ROLES, type DatasetMapping, type MappingOf } from './mapping.ts';
import type { ChatRole, NormalisedMessage, NormalisedRecord, RawRecord } from './types.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A normalised record without the fields importDataset adds (`id`, `source`, `split`, `sourceSplit`). */
export type RecordBody = DistributiveOmit<NormalisedRecord, 'id' | 'source' | 'split' | 'sourceSplit'>;

/** Result of normalising one record: the body, or the field and reason it was skipped. */
export type NormaliseResult = { ok: true; body: RecordBody } | { ok: false; field: string; reason: string };

class Misfit {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {}
}

function text(r: RawRecord, field: string, allowEmpty = true): string {
  const v = getField(r.fields, field);
  const t = asText(v);
  if (t === undefined) throw new Misfit(field, `expected text, found ${kindOf(v)}`);
  if (!allowEmpty && t.trim() === '') throw new Misfit(field, 'is empty');
  return t;
}

function mcq(r: RawRecord, m: MappingOf<'mcq'>): RecordBody {
  const question = text(r, m.question);
  let choices: string[];
  if (m.choices.length === 1) {
    const v = getField(r.fields, m.choices[0]);
    if (!Array.isArray(v)) throw new Misfit(m.choices[0], `expected a list of choices, found ${kindOf(v)}`);
    choices = v.map((c, i) => {
      const t = asText(c);
      if (t === undefined) throw new Misfit(`${m.choices[0]}[${i}]`, `expected choice text, found ${kindOf(c)}`);
      return t;
    });
  } else choices = m.choices.map((c) => text(r, c));
  if (choices.length < 2) throw new Misfit(m.choices[0], `needs at least 2 choices, found ${choices.length}`);
  const raw = getField(r.fields, m.answer);
  const n = choices.length;
  let answer: number;
  if (m.answerFormat === 'letter') {
    const t = asText(raw)?.trim() ?? '';
    if (!/^[A-Za-z]$/.test(t)) throw new Misfit(m.answer, `expected a choice letter A–${String.fromCharCode(64 + n)}, found ${raw === undefined ? 'nothing' : preview(raw)}`);
    answer = t.toUpperCase().charCodeAt(0) - 65;
    if (answer >= n) throw new Misfit(m.answer, `answer ${t} is out of range A–${String.fromCharCode(64 + n)} (${n} choices)`);
  } else if (m.answerFormat === 'text') {
    const t = asText(raw);
    if (t === undefined) throw new Misfit(m.answer, `expected the text of the correct choice, found ${kindOf(raw)}`);
    answer = choices.findIndex((c) => c.trim() === t.trim());
    if (answer < 0) throw new Misfit(m.answer, `answer ${preview(t)} is not one of the choices`);
  } else {
    const i = asInteger(raw);
    if (i === undefined) throw new Misfit(m.answer, `expected a choice index, found ${raw === undefined ? 'nothing' : preview(raw)}`);
    const base = m.answerFormat === 'index1' ? 1 : 0;
    if (i < base || i >= n + base) {
      throw new Misfit(m.answer, `answer ${i} is out of range ${base}–${n - 1 + base} (${n} choices, ${base === 1 ? '1-based' : '0-based'})`);
    }
    answer = i - base;
  }
  return { task: 'mcq', question, choices, answer };
}

function yesno(r: RawRecord, m: MappingOf<'yesno'>): RecordBody {
  const question = text(r, m.question, false);
  let context: string | undefined;
  if (m.context !== undefined) {
    const v = getField(r.fields, m.context);
    if (Array.isArray(v)) {
      const parts = v.map((p, i) => {
        const t = asText(p);
        if (t === undefined) throw new Misfit(`${m.context}[${i}]`, `expected text, found ${kindOf(p)}`);
        return t;
      });
      context = parts.join('\n');
    } else if (v !== undefined && v !== null) context = text(r, m.context);
  }
  const raw = getField(r.fields, m.answer);
  const t = typeof raw === 'boolean' ? (raw ? 'yes' : 'no') : asText(raw);
  const answer = t === undefined ? -1 : m.labels.findIndex((l) => l.toLowerCase() === t.trim().toLowerCase());
  if (answer < 0) {
    throw new Misfit(m.answer, `label ${raw === undefined ? 'is missing' : preview(raw)} is not one of ${m.labels.join('/')}`);
  }
  return { task: 'yesno', question, ...(context !== undefined && context.trim() !== '' ? { context } : {}), choices: [...m.labels], answer };
}

function instruction(r: RawRecord, m: MappingOf<'instruction'>): RecordBody {
  const instr = text(r, m.instruction, false);
  let input = '';
  if (m.input !== undefined) {
    const v = getField(r.fields, m.input);
    if (v !== undefined && v !== null) input = text(r, m.input);
  }
  return { task: 'instruction', instruction: instr, input, output: text(r, m.output, false) };
}

function chat(r: RawRecord, m: MappingOf<'chat'>): RecordBody {
  const v = getField(r.fields, m.messages);
  if (!Array.isArray(v)) throw new Misfit(m.messages, `expected a list of messages, found ${kindOf(v)}`);
  const messages: NormalisedMessage[] = [];
  if (m.system !== undefined) {
    const s = getField(r.fields, m.system);
    if (s !== undefined && s !== null && text(r, m.system).trim() !== '') messages.push({ role: 'system', content: text(r, m.system) });
  }
  v.forEach((turn, i) => {
    const at = `${m.messages}[${i}]`;
    if (typeof turn !== 'object' || turn === null) throw new Misfit(at, `expected a message object, found ${kindOf(turn)}`);
    const t = turn as Record<string, unknown>;
    const roleKey = m.roleKey ?? ['from', 'role'].find((k) => k in t) ?? 'role';
    const contentKey = m.contentKey ?? ['value', 'content', 'text'].find((k) => k in t) ?? 'content';
    const source = asText(t[roleKey]);
    if (source === undefined) throw new Misfit(`${at}.${roleKey}`, `expected a role, found ${kindOf(t[roleKey])}`);
    const role: ChatRole | undefined = m.roles?.[source] ?? DEFAULT_CHAT_ROLES[source.toLowerCase()];
    if (role === undefined) throw new Misfit(`${at}.${roleKey}`, `unknown role ${preview(source)} (map it with roles=${source}:user|assistant|system)`);
    const content = asText(t[contentKey]);
    if (content === undefined) throw new Misfit(`${at}.${contentKey}`, `expected message text, found ${kindOf(t[contentKey])}`);
    messages.push({ role, content });
  });
  if (!messages.some((msg) => msg.role === 'assistant' && msg.content.trim() !== '')) {
    throw new Misfit(m.messages, 'has no non-empty assistant message to learn from');
  }
  return { task: 'chat', messages };
}

/**
 * Normalises one raw record under a mapping. Never throws for a misfit: returns `{ok: false, field, reason}`.
 * Text fields accept strings, numbers and booleans (as text); an mcq needs at least 2 choices and a gold inside
 * them; a yesno label must be one of the mapping's labels; instruction and output must not be empty; a chat needs
 * a non-empty assistant turn and known roles; a text must not be empty.
 */
export function normaliseRecord(r: RawRecord, mapping: DatasetMapping): NormaliseResult {
  try {
    switch (mapping.task) {
      case 'mcq': return { ok: true, body: mcq(r, mapping) };
      case 'yesno': return { ok: true, body: yesno(r, mapping) };
      case 'instruction': return { ok: true, body: instruction(r, mapping) };
      case 'chat': return { ok: true, body: chat(r, mapping) };
      case 'text': return { ok: true, body: { task: 'text', text: text(r, mapping.text, false) } };
    }
  } catch (e) {
    if (e instanceof Misfit) return { ok: false, field: e.field, reason: e.reason };
    throw e;
  }
}
