/**
 * The object the preload exposes as `window.trimllm` (STYLE.md "Electron": one exposed object, channel names
 * allow-listed). Built from an ipcRenderer-like value passed in, so it runs under plain Node in tests.
 *
 * - `call(method, request)` refuses a method outside the allow-list before anything is sent, then invokes
 *   CALL_CHANNEL and unwraps `{ok, value}`. A failure rejects with the contract's ApiError, a plain
 *   `{name, message}` object: contextBridge would reduce an Error to its message (losing `NotFoundError`,
 *   `JobBusyError`, … that the UI acts on), while a plain object crosses intact.
 * - `on(event, listener)` refuses an event outside the allow-list, delivers only the payload (never the IPC
 *   event object, which would hand the page `sender`), and returns the unsubscribe function.
 */
import type { ApiError } from '../api/contract.ts';
import { ALLOWED_EVENTS, ALLOWED_METHODS, CALL_CHANNEL, EVENT_CHANNEL, type CallResult, type EventMessage } from './channels.ts';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, message: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, message: unknown) => void): unknown;
}

/**
 * The API exposed to the page: the contract's TrimllmApi, untyped at this boundary (the renderer types it).
 * `call` rejects with an ApiError `{name, message}`; `on` throws (synchronously) for an unknown event.
 */
export interface Bridge {
  call(method: string, request: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

const methods: ReadonlySet<string> = new Set(ALLOWED_METHODS);
const events: ReadonlySet<string> = new Set(ALLOWED_EVENTS);

/** True when `name` is a method the preload lets through. */
export function isAllowedMethod(name: unknown): name is (typeof ALLOWED_METHODS)[number] {
  return typeof name === 'string' && methods.has(name);
}

/** True when `name` is an event the preload delivers. */
export function isAllowedEvent(name: unknown): name is (typeof ALLOWED_EVENTS)[number] {
  return typeof name === 'string' && events.has(name);
}

function apiError(name: string, message: string): ApiError {
  return Object.freeze({ name, message });
}

function isCallResult(value: unknown): value is CallResult {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** Builds `window.trimllm` over `ipc`. */
export function createBridge(ipc: IpcRendererLike): Bridge {
  return {
    async call(method, request) {
      if (!isAllowedMethod(method)) throw apiError('UnknownMethod', `"${String(method)}" is not a TrimLLM API method`);
      const result = await ipc.invoke(CALL_CHANNEL, method, request);
      if (!isCallResult(result)) throw apiError('ProtocolError', 'malformed reply from the main process');
      if (result.ok) return result.value;
      throw apiError(String(result.error.name), String(result.error.message));
    },
    on(event, listener) {
      if (!isAllowedEvent(event)) throw new Error(`UnknownEvent: "${String(event)}" is not a TrimLLM API event`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      const handler = (_event: unknown, message: unknown): void => {
        const m = message as EventMessage | null;
        if (m && typeof m === 'object' && m.event === event) listener(m.payload);
      };
      ipc.on(EVENT_CHANNEL, handler);
      return () => {
        ipc.removeListener(EVENT_CHANNEL, handler);
      };
    },
  };
}
