/**
 * Validation of what crosses the API boundary with the contract's zod schemas. Requests are checked before they
 * leave (the user sees field errors at once); responses and events are checked on arrival. A response that does
 * not match is an error in development builds and a console warning in production builds (the data is still
 * used: a newer core may add fields the UI does not know).
 */
import { EVENTS, METHODS, type EventName, type EventPayload, type Method, type Request, type Response } from '../../../electron/api/contract.ts';
import { ApiCallError, toFieldIssues } from './errors.ts';

const STRICT = import.meta.env.DEV;

/** Validates (and applies the defaults of) a request. @throws ApiCallError with the field issues */
export function checkRequest<M extends Method>(method: M, request: Request<M>): unknown {
  const result = METHODS[method].request.safeParse(request);
  if (!result.success) {
    throw new ApiCallError('ValidationError', `invalid request for ${method}`, { issues: toFieldIssues(result.error.issues) });
  }
  return result.data;
}

/** Validates a response. @throws ApiCallError in development builds when it does not match the contract */
export function checkResponse<M extends Method>(method: M, data: unknown): Response<M> {
  const result = METHODS[method].response.safeParse(data);
  if (result.success) return result.data as Response<M>;
  const issues = toFieldIssues(result.error.issues);
  if (STRICT) throw new ApiCallError('ContractError', `the response of ${method} does not match the contract`, { issues });
  console.warn(`[trimllm] response of ${method} does not match the contract`, issues);
  return data as Response<M>;
}

/** Validates an event payload; returns null (and warns) when it does not match. */
export function checkEvent<E extends EventName>(event: E, payload: unknown): EventPayload<E> | null {
  const result = EVENTS[event].safeParse(payload);
  if (result.success) return result.data as EventPayload<E>;
  console.warn(`[trimllm] event ${event} does not match the contract`, toFieldIssues(result.error.issues));
  return STRICT ? null : (payload as EventPayload<E>);
}

/** True when `name` is an event of the contract. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(EVENTS, name);
}
