/**
 * Errors of API calls, the same whichever transport carried them: the core's `{name, message}` (plus zod issues
 * for a rejected request), or a transport failure described so the user knows what to do next.
 */

/** One problem with one field of a request (a zod issue, reduced to what the UI shows). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** An error returned by (or on the way to) the core. */
export class ApiCallError extends Error {
  /** The error name from the core (`ValidationError`, `NotFoundError`, …) or a transport name. */
  readonly kind: string;
  /** HTTP status, when the HTTP transport carried the call. */
  readonly status: number | undefined;
  /** Field problems of a rejected request (HTTP 400 or client-side validation). */
  readonly issues: FieldIssue[];

  constructor(kind: string, message: string, options: { status?: number; issues?: FieldIssue[] } = {}) {
    super(message);
    this.name = 'ApiCallError';
    this.kind = kind;
    this.status = options.status;
    this.issues = options.issues ?? [];
  }
}

/**
 * Reduces issues to FieldIssues: zod's own (`{path: (string|number)[], message}`) or the server's
 * (`{field: 'settings.target', message}`); anything else is ignored.
 */
export function toFieldIssues(raw: unknown): FieldIssue[] {
  if (!Array.isArray(raw)) return [];
  const out: FieldIssue[] = [];
  for (const item of raw) {
    if (typeof item !== 'object' || item === null) continue;
    const rec = item as { path?: unknown; field?: unknown; message?: unknown };
    const path = Array.isArray(rec.path) ? rec.path.map(String).join('.') : typeof rec.field === 'string' ? rec.field : '';
    out.push({ path, message: typeof rec.message === 'string' ? rec.message : 'invalid value' });
  }
  return out;
}

/** A field path in words: `sampling.maxTokens` → "max tokens". */
function fieldWords(path: string): string {
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? '';
  return last.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/** A validation message in words: zod's "Too big: expected number to be <=4096" → "at most 4096". */
function issueWords(message: string): string {
  const big = /to be <=?\s*([\d.]+)/.exec(message);
  const small = /to be >=?\s*([\d.]+)/.exec(message);
  if (/too big/i.test(message) && big) return `at most ${big[1]}`;
  if (/too small/i.test(message) && small) return `at least ${small[1]}`;
  return message.replace(/^Invalid input:?\s*/i, '').replace(/^expected/i, 'should be');
}

/** A user-facing one-paragraph description of any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof ApiCallError && e.kind === 'ValidationError' && e.issues.length > 0) {
    // A rejected request: say which fields to change, in words (no schema text).
    return `Please check ${e.issues.map((i) => (i.path ? `${fieldWords(i.path)}: ${issueWords(i.message)}` : issueWords(i.message))).join('; ')}.`;
  }
  if (e instanceof ApiCallError) {
    // The server already spells the issues out in its message; add only those it does not mention.
    const fields = e.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).filter((f) => !e.message.includes(f));
    return fields.length > 0 ? `${e.message} (${fields.join('; ')})` : e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
