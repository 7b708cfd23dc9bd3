/** Reading mapped fields out of raw records. */

/**
 * Value of a field: the key itself when the record has it, else a dotted path into nested objects
 * (`choices.text` for ARC-style `{choices: {text: [...], label: [...]}}`). Undefined when absent.
 */
export function getField(fields: Record<string, unknown>, path: string): unknown {
  if (path in fields) return fields[path];
  let cur: unknown = fields;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A text value: strings as they are, finite numbers and booleans as their decimal/`true`/`false` spelling. */
export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return String(v);
  return undefined;
}

/** An integer value: a JavaScript integer or a string of decimal digits (optionally signed, surrounding spaces allowed). */
export function asInteger(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

/** Short description of a value's kind for messages: `a number`, `null`, `missing`, `an array`, … */
export function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A value quoted for a message, cut to 40 characters. */
export function preview(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
