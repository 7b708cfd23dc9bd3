/**
 * Server-mode transport (`trimllm serve`): `POST /api/<method>` with a JSON body and `Authorization: Bearer`,
 * events over the reconnecting WebSocket `/api/events` (the token in its first message, not the URL). Errors come back as `{name, message}` with a
 * non-2xx status (400 carries zod issues).
 */
import type { EventName, EventPayload, Method, Request, Response } from '../../../electron/api/contract.ts';
import { ApiCallError, toFieldIssues } from './errors.ts';
import { EventListeners } from './listeners.ts';
import { EventSocket } from './events-socket.ts';
import { checkRequest, checkResponse } from './validate.ts';
import type { StudioClient } from './types.ts';

function hint(status: number): string {
  if (status === 401 || status === 403) {
    return 'This page has no valid access key (it changes each time the server starts): open the link that `trimllm serve` printed, or add #token=… with the key from the server-token file in the data folder.';
  }
  return `the server answered HTTP ${status}`;
}

/** Creates the HTTP + WebSocket client for a server at `origin` (e.g. `http://127.0.0.1:8787`). */
export function createHttpClient(origin: string, token: string | null): StudioClient {
  const listeners = new EventListeners();
  const wsOrigin = origin.replace(/^http/, 'ws');
  const socket = new EventSocket(`${wsOrigin}/api/events`, listeners, token);

  async function call<M extends Method>(method: M, request: Request<M>): Promise<Response<M>> {
    const body = checkRequest(method, request);
    let res: globalThis.Response;
    try {
      res = await fetch(`${origin}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    } catch {
      throw new ApiCallError('NetworkError', `Cannot reach the TrimLLM server at ${origin}: is \`trimllm serve\` still running?`);
    }
    let data: unknown = null;
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const err = (data ?? {}) as { name?: unknown; message?: unknown; issues?: unknown };
      // A refused token is said in the app's words (the server's message is for API clients).
      const refused = res.status === 401 || res.status === 403;
      throw new ApiCallError(typeof err.name === 'string' ? err.name : `HTTP${res.status}`, !refused && typeof err.message === 'string' && err.message ? err.message : hint(res.status), {
        status: res.status,
        issues: toFieldIssues(err.issues),
      });
    }
    return checkResponse(method, data);
  }

  return {
    transport: 'http',
    call,
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      socket.start();
      return listeners.add(event, listener);
    },
    connection: () => socket.state,
    onConnection: (listener) => {
      socket.start();
      return socket.states.add(listener);
    },
  };
}
