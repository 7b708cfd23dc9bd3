/**
 * The dataset field mapping as the editable string of the CLI's `--map`
 * (`question=goal,choices=sol1|sol2,answer=label`; `roles=human:user|bot:assistant`).
 */

/** A detected mapping object (engine/data/mapping.ts shape) as a `--map` string; `task` is left out. */
export function mappingToString(mapping: unknown): string {
  if (typeof mapping === 'string') return mapping;
  if (typeof mapping !== 'object' || mapping === null) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(mapping as Record<string, unknown>)) {
    if (k === 'task' || v === undefined || v === null) continue;
    if (typeof v === 'string' || typeof v === 'number') parts.push(`${k}=${v}`);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) parts.push(`${k}=${v.join('|')}`);
    else if (typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string')) {
      parts.push(`${k}=${Object.entries(v as Record<string, string>).map(([a, b]) => `${a}:${b}`).join('|')}`);
    }
  }
  return parts.join(',');
}
