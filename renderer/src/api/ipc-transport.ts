/**
 * Electron transport: the preload exposes `window.trimllm` (a TrimllmApi over IPC). This wrapper validates
 * requests, responses and events with the contract, and turns rejected calls into ApiCallErrors.
 */
import type { EventName, EventPayload, Method, Request, Response, TrimllmApi } from '../../../electron/api/contract.ts';
import { ApiCallError, toFieldIssues } from './errors.ts';
import { checkEvent, checkRequest, checkResponse } from './validate.ts';
import type { StudioClient } from './types.ts';

/** Electron prefixes rejected invoke() messages with this; the user does not need to see it. */
const IPC_PREFIX = /^Error invoking remote method '[^']*': (?:\w*Error: )?/;

function toApiError(e: unknown): ApiCallError {
  if (e instanceof ApiCallError) return e;
  const rec = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; message?: unknown; issues?: unknown };
  const message = typeof rec.message === 'string' ? rec.message.replace(IPC_PREFIX, '') : String(e);
  return new ApiCallError(typeof rec.name === 'string' ? rec.name : 'Error', message, { issues: toFieldIssues(rec.issues) });
}

/** Wraps the preload's API. */
export function createIpcClient(bridge: TrimllmApi): StudioClient {
  return {
    transport: 'ipc',
    async call<M extends Method>(method: M, request: Request<M>): Promise<Response<M>> {
      const body = checkRequest(method, request) as Request<M>;
      let data: unknown;
      try {
        data = await bridge.call(method, body);
      } catch (e) {
        throw toApiError(e);
      }
      return checkResponse(method, data);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(event, (payload) => {
        const checked = checkEvent(event, payload);
        if (checked !== null) listener(checked);
      });
    },
    connection: () => 'open',
    onConnection: () => () => undefined,
  };
}
