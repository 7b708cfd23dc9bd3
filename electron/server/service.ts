/**
 * The API service: one implementation of every method of the contract (api/contract.ts) over the store and the
 * job runner, independent of the transport. The local server calls it for `POST /api/<method>`; Electron's
 * main process would call it from its ipcMain handler the same way.
 *
 * call() validates the request (zod; ZodError names each invalid field) and the response (a response that does
 * not match the contract is a bug, reported as ContractError rather than sent).
 */
import { METHODS, isMethod, parseRequest, type Method, type Response } from '../api/contract.ts';
import { filesHandlers } from './service-files.ts';
import { catalogHandlers } from './service-catalog.ts';
import { chatHandlers } from './service-chats.ts';
import { runHandlers } from './service-runs.ts';
import { settingsHandlers } from './service-settings.ts';
import { hubHandlers } from './service-hub.ts';
import { evaluationHandlers } from './service-evaluations.ts';
import { NotFoundError } from './errors.ts';
import type { Handler, Handlers, ServiceContext } from './service-types.ts';

export type { ServiceContext } from './service-types.ts';

/** A response that does not match the contract (a bug in the service). */
export class ContractError extends Error {
  override readonly name = 'ContractError';
}

/** The API, transport-neutral. */
export interface ApiService {
  /**
   * Calls a method with an unvalidated payload.
   * @throws NotFoundError for an unknown method; z.ZodError for an invalid request; the method's own errors
   *   (NotFoundError, ConflictError, JobBusyError, input-file errors …); ContractError for an invalid response
   */
  call<M extends Method>(method: M | string, payload: unknown): Promise<Response<M>>;
  /** Stops the service's own jobs (Hub downloads keep their `.part` files for a resume). */
  close(): Promise<void>;
}

/** Creates the service. Every method of METHODS has a handler (checked by the type of `handlers`). */
export function createApiService(ctx: ServiceContext): ApiService {
  const hub = hubHandlers(ctx);
  const runs = runHandlers(ctx);
  const handlers: Handlers<Method> = {
    ...hub.handlers,
    ...catalogHandlers(ctx),
    ...runs,
    ...filesHandlers(ctx, runs['runs.delete']),
    ...chatHandlers(ctx),
    ...settingsHandlers(ctx),
    ...evaluationHandlers(ctx),
  };
  return {
    async call<M extends Method>(method: M | string, payload: unknown): Promise<Response<M>> {
      if (!isMethod(method)) throw new NotFoundError(`unknown method "${method}"`);
      const request = parseRequest(method, payload);
      const result = await (handlers[method] as Handler<Method>)(request as never);
      const checked = METHODS[method].response.safeParse(result);
      if (!checked.success) throw new ContractError(`${method} produced a response outside the contract: ${checked.error.message}`);
      return checked.data as Response<M>;
    },
    close: () => hub.downloads.close(),
  };
}
