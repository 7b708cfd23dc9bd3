/**
 * `POST /api/<method>`: the JSON request body is validated by the contract and passed to the API service; the
 * answer is the method's response as JSON. Errors are `{name, message}`: 400 for an invalid body (with `issues`,
 * each naming its field), 404 for an unknown method or a missing object, 409 for a conflict (a trim already
 * running, resuming a completed run), 413 for a body over the limit, 500 otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ZodError } from 'zod';
import { isMethod } from '../api/contract.ts';
import { HttpError, readJsonBody, sendJson } from './http.ts';
import { statusOf } from './errors.ts';
import type { ApiService } from './service.ts';

/** One invalid field of a request. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `settings.target` (empty for the body itself). */
  field: string;
  message: string;
}

/** The issues of a ZodError, one per invalid field. */
export function fieldIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((i) => {
    const name = (key: PropertyKey): string => (key === '' ? '""' : String(key)); // an empty key stays visible
    const path = i.path.map(name).join('.');
    const keys = 'keys' in i && Array.isArray(i.keys) ? (i.keys as string[]).map(name) : [];
    // An unknown key: name it (zod puts it in `keys`, not in `path`).
    const field = keys.length > 0 ? [path, keys.join(',')].filter((p) => p !== '').join('.') : path;
    return { field, message: i.message };
  });
}

/** Converts what a method threw into an HttpError. */
export function toHttpError(method: string, e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof ZodError) {
    const issues = fieldIssues(e);
    const text = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ');
    return new HttpError(400, 'ValidationError', `invalid request for ${method}: ${text}`, { issues });
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return new HttpError(statusOf(err), err.name || 'Error', err.message);
}

/**
 * Handles one /api/<method> request (the token has been checked already).
 * @throws HttpError for every failure (the caller sends it)
 */
export async function handleApiCall(req: IncomingMessage, res: ServerResponse, service: ApiService, method: string, bodyLimit: number): Promise<void> {
  if (!isMethod(method)) throw new HttpError(404, 'NotFoundError', `unknown method "${method}"`);
  if (req.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', `use POST /api/${method}`);
  const body = await readJsonBody(req, bodyLimit);
  let result: unknown;
  try {
    result = await service.call(method, body);
  } catch (e) {
    throw toHttpError(method, e);
  }
  sendJson(res, 200, result);
}
