/**
 * The typed IPC channel of the main process (STYLE.md "Electron"): one `ipcMain.handle(CALL_CHANNEL)` whose
 * handler checks the sender frame, the method name and the payload (the contract's zod schema) before the
 * service runs; the reply is `{ok: true, value}` or `{ok: false, error: {name, message}}` (never a stack).
 * Service events are forwarded to the window on EVENT_CHANNEL, for the contract's events only.
 *
 * Imports only Electron's types: ipcMain and the window's webContents are passed in, so the logic runs in tests.
 */
import type { IpcMain } from 'electron';
import { z } from 'zod';
import { EVENT_NAMES, isMethod, parseRequest, type EventName } from '../api/contract.ts';
import { CALL_CHANNEL, EVENT_CHANNEL, type CallResult, type EventMessage } from '../preload/channels.ts';
import { isTrustedSender, type FrameLike } from './security.ts';
import type { ApiService } from './service.ts';

/** The part of an IPC event the handler reads (Electron's IpcMainInvokeEvent has it). */
export interface InvokeEventLike {
  senderFrame: FrameLike | null;
}

/** Where events are pushed (Electron's WebContents has it). */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, message: EventMessage): void;
}

function failure(name: string, message: string): CallResult {
  return { ok: false, error: { name, message } };
}

/** `path.to.field: message` for each zod issue. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(request)'}: ${issue.message}`)
    .join('; ');
}

/** An error as name + message only (what may cross to the renderer). */
export function toApiError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * Handles one `trimllm:call` invocation: sender check → method allow-list → payload validation → service.
 * Never throws: every failure is a `{ok: false}` reply.
 */
export async function handleCall(
  event: InvokeEventLike,
  method: unknown,
  request: unknown,
  service: Pick<ApiService, 'call'>,
): Promise<CallResult> {
  if (!isTrustedSender(event.senderFrame)) {
    return failure('UntrustedSender', 'calls are accepted only from the app\'s own page');
  }
  if (typeof method !== 'string' || !isMethod(method)) {
    return failure('UnknownMethod', `"${String(method)}" is not a TrimLLM API method`);
  }
  let parsed: unknown;
  try {
    parsed = parseRequest(method, request);
  } catch (e) {
    if (e instanceof z.ZodError) return failure('ValidationError', `invalid request for ${method}: ${describeIssues(e)}`);
    return failure('ValidationError', `invalid request for ${method}: ${toApiError(e).message}`);
  }
  try {
    const value = await service.call(method, parsed as never);
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

/**
 * Subscribes to every contract event of `service` and pushes `{event, payload}` to the target returned by
 * `target()` (the window's webContents; null or destroyed: dropped). Returns the unsubscribe-all function.
 */
export function forwardEvents(service: Pick<ApiService, 'on'>, target: () => EventTarget | null): () => void {
  const unsubscribes = EVENT_NAMES.map((event: EventName) =>
    service.on(event, (payload: unknown) => {
      const to = target();
      if (to && !to.isDestroyed()) to.send(EVENT_CHANNEL, { event, payload });
    }),
  );
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}

/**
 * Registers the call handler on `ipcMain` and forwards the service's events to `target()`.
 * Returns the function that removes both.
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  service: Pick<ApiService, 'call' | 'on'>,
  target: () => EventTarget | null,
): () => void {
  ipcMain.handle(CALL_CHANNEL, (event, method: unknown, request: unknown) => handleCall(event, method, request, service));
  const stopEvents = forwardEvents(service, target);
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    stopEvents();
  };
}
