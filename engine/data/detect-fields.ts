/** Helpers of mapping detection: what fields the records have, and what their values look like. */
import { asInteger, asText, getField } from './fields.ts';
import type { AnswerFormat } from './mapping.ts';
import type { RawRecord } from './types.ts';

/**
 * Kind of a field's value, as detection sees it. `strings` is a non-empty list of texts: strings, or numbers
 * (math choices such as `[12, 15, 18]`), which normalisation spells with asText like any text field.
 */
export type ValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'strings' | 'objects' | 'array' | 'object';

/** Kinds of a single value that asText spells out (fields.ts): a text field may hold any of them (`"output": 42`). */
export const TEXT_KINDS: readonly ValueKind[] = ['string', 'integer', 'number', 'boolean'];

/** The fields seen in a sample of records: names in first-seen order and the kinds of their values. */
export interface FieldInventory {
  names: string[];
  kinds: Map<string, Set<ValueKind>>;
  /** Per field, how many sampled records hold each kind. */
  kindCounts: Map<string, Map<ValueKind, number>>;
  /** Number of sampled records that have the field (not null). */
  present: Map<string, number>;
  sampled: number;
}

function kindOfValue(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))) return 'strings';
    if (v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) return 'objects';
    return 'array';
  }
  return 'object';
}

/** Inventory of the first `sample` records (default 2000). */
export function inventory(records: readonly RawRecord[], sample = 2000): FieldInventory {
  const inv: FieldInventory = { names: [], kinds: new Map(), kindCounts: new Map(), present: new Map(), sampled: Math.min(sample, records.length) };
  for (const r of records.slice(0, sample)) {
    for (const [name, v] of Object.entries(r.fields)) {
      if (!inv.kinds.has(name)) {
        inv.names.push(name);
        inv.kinds.set(name, new Set());
        inv.kindCounts.set(name, new Map());
        inv.present.set(name, 0);
      }
      const k = kindOfValue(v);
      inv.kinds.get(name)!.add(k);
      const counts = inv.kindCounts.get(name)!;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (k !== 'null') inv.present.set(name, inv.present.get(name)! + 1);
    }
  }
  return inv;
}

/** Field name reduced for comparison: lower case, letters and digits only (`final_decision` → `finaldecision`). */
export function norm(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** True when every non-null sampled value of the field is one of `kinds`, and at least one is present. */
export function fieldIs(inv: FieldInventory, name: string, ...kinds: ValueKind[]): boolean {
  const seen = inv.kinds.get(name);
  if (!seen || (inv.present.get(name) ?? 0) === 0) return false;
  return [...seen].every((k) => k === 'null' || kinds.includes(k));
}

/**
 * True when at least half of the sampled non-null values of the field are one of `kinds` (the rest are records
 * that normalisation will skip and list), and at least one is present.
 */
export function fieldMostly(inv: FieldInventory, name: string, ...kinds: ValueKind[]): boolean {
  const present = inv.present.get(name) ?? 0;
  if (present === 0) return false;
  const counts = inv.kindCounts.get(name)!;
  return kinds.reduce((n, k) => n + (counts.get(k) ?? 0), 0) * 2 >= present;
}

/**
 * The first field (in the order of `candidates`, compared with {@link norm}) that passes `accept` and is not in
 * `exclude`; undefined when none.
 */
export function findField(
  inv: FieldInventory,
  candidates: readonly string[],
  accept: (name: string) => boolean,
  exclude: readonly string[] = [],
): string | undefined {
  for (const c of candidates) {
    const name = inv.names.find((n) => norm(n) === c && !exclude.includes(n) && accept(n));
    if (name !== undefined) return name;
  }
  return undefined;
}

/** The choice texts of a record under a choices mapping (one array field, or one field per choice). */
export function choiceTexts(r: RawRecord, choices: readonly string[]): string[] | undefined {
  if (choices.length === 1) {
    const v = getField(r.fields, choices[0]);
    return Array.isArray(v) ? v.map((x) => asText(x) ?? '') : undefined;
  }
  return choices.map((c) => asText(getField(r.fields, c)) ?? '');
}

/**
 * Infers how the gold field names the correct choice, from all records:
 * integers with a 0 → `index0`; integers 1..n where n (the number of choices) occurs, or the field is MedMCQA's
 * `cop` → `index1`; other integers → `index0` with a note; single letters → `letter`; values equal to a choice
 * text → `text`. A format needs at least half of the records that have choices and a gold value (the others are
 * skipped at normalisation and listed). Null when the values fit none of these.
 */
export function inferAnswerFormat(
  records: readonly RawRecord[],
  answer: string,
  choices: readonly string[],
): { format: AnswerFormat; note?: string } | null {
  // Records without choices or gold cannot tell; a minority of odd values are records normalisation will skip.
  const usable = records.filter((r) => {
    const v = getField(r.fields, answer);
    return v !== undefined && v !== null && (choices.length === 0 || (choiceTexts(r, choices)?.length ?? 0) > 0);
  });
  if (usable.length === 0) return null;
  const most = (n: number) => n * 2 >= usable.length;
  const withInt = usable.filter((r) => asInteger(getField(r.fields, answer)) !== undefined);
  if (most(withInt.length) && withInt.length > 0) {
    const nums = withInt.map((r) => asInteger(getField(r.fields, answer))!);
    const counts = withInt.map((r) => choiceTexts(r, choices)?.length ?? 0);
    const maxChoices = counts.reduce((a, b) => Math.max(a, b), 0);
    if (nums.some((n) => n === 0)) return { format: 'index0' };
    if (norm(answer) === 'cop') return { format: 'index1' };
    const hitsN = nums.some((n, i) => n === counts[i] && counts[i] > 0);
    if (hitsN || nums.reduce((a, b) => Math.max(a, b), -Infinity) === maxChoices) return { format: 'index1' };
    return { format: 'index0', note: `"${answer}" never holds 0 nor the number of choices; assuming it is 0-based` };
  }
  const letters = usable.filter((r) => {
    const v = getField(r.fields, answer);
    return typeof v === 'string' && /^\s*[A-Za-z]\s*$/.test(v);
  });
  if (most(letters.length) && letters.length > 0) return { format: 'letter' };
  const matchesText = usable.filter((r) => {
    const t = asText(getField(r.fields, answer));
    return t !== undefined && (choiceTexts(r, choices) ?? []).some((c) => c.trim() === t.trim());
  }).length;
  return most(matchesText) && matchesText > 0 ? { format: 'text' } : null;
}

/**
 * Groups of sibling fields that look like one choice each: a common stem and suffixes that run a, b, c, … or
 * 0, 1, … or 1, 2, … (`opa`–`opd`, `sol1`/`sol2`, `ending0`–`ending3`, `A`–`D`). Only string fields count.
 * Largest group first.
 */
export function siblingGroups(inv: FieldInventory): string[][] {
  const byStem = new Map<string, { suffix: string; name: string }[]>();
  for (const name of inv.names) {
    if (!fieldIs(inv, name, 'string')) continue;
    const m = /^(.*?)([A-Za-z]|\d+)$/.exec(name);
    if (!m) continue;
    const stem = m[1].toLowerCase();
    byStem.set(stem, [...(byStem.get(stem) ?? []), { suffix: m[2], name }]);
  }
  const groups: string[][] = [];
  for (const members of byStem.values()) {
    if (members.length < 2) continue;
    const isDigit = /^\d+$/.test(members[0].suffix);
    const key = (s: string): number => (isDigit ? Number(s) : s.toLowerCase().charCodeAt(0) - 97);
    if (members.some((m) => /^\d+$/.test(m.suffix) !== isDigit)) continue;
    const sorted = [...members].sort((a, b) => key(a.suffix) - key(b.suffix));
    const first = key(sorted[0].suffix);
    if (first !== 0 && !(isDigit && first === 1)) continue;
    if (sorted.every((m, i) => key(m.suffix) === first + i)) groups.push(sorted.map((m) => m.name));
  }
  return groups.sort((a, b) => b.length - a.length);
}
