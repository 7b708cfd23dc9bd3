/**
 * Picks the transport: `window.trimllm` when the Electron preload provides it, else HTTP + WebSocket against the
 * server the page was loaded from (token from `#token=…`, see token.ts).
 */
import type { TrimllmApi } from '../../../electron/api/contract.ts';
import { createHttpClient } from './http-transport.ts';
import { createIpcClient } from './ipc-transport.ts';
import { captureToken } from './token.ts';
import type { StudioClient } from './types.ts';

export type { StudioClient, ConnectionState } from './types.ts';
export { ApiCallError, describeError } from './errors.ts';

declare global {
  interface Window {
    /** The Electron preload's API (absent in a browser). */
    trimllm?: TrimllmApi;
  }
}

/** Creates the client for this page. */
export function createClient(): StudioClient {
  if (window.trimllm) return createIpcClient(window.trimllm);
  return createHttpClient(window.location.origin, captureToken());
}
