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

/** A user-facing one-paragraph description of any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof ApiCallError) {
    // The server already spells the issues out in its message; add only those it does not mention.
    const fields = e.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).filter((f) => !e.message.includes(f));
    return fields.length > 0 ? `${e.message} (${fields.join('; ')})` : e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
