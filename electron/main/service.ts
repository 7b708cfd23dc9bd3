/**
 * The service the main process exposes over IPC: the same service layer the local server (electron/server/)
 * carries over HTTP + WebSocket. The main process depends only on this interface (taken as a parameter), not on
 * how the service is built; `createApiService` builds the real one.
 */
import type { z } from 'zod';
import type { EventName, EventPayload, METHODS, Method, Response } from '../api/contract.ts';

/** A method's request after validation by the contract (defaults applied). */
export type ParsedRequest<M extends Method> = z.output<(typeof METHODS)[M]['request']>;

/** The API's implementation: methods, events, and an orderly shutdown. */
export interface ApiService {
  /** Runs one method on an already-validated request. Throws an Error (its name and message reach the UI). */
  call<M extends Method>(method: M, request: ParsedRequest<M>): Promise<Response<M>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Stops running jobs at their last checkpoint (their runs become resumable) and closes the database. */
  close(): Promise<void>;
}

/** Options of the real service. */
export interface ServiceOptions {
  /** The directory holding the workspace database (trimllm.db) and the app's files. */
  dataDir: string;
}

/** Builds an ApiService (the real one, or a fake in tests). */
export type ServiceFactory = (options: ServiceOptions) => Promise<ApiService>;
