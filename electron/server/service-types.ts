/** Types shared by the API service's handler files. */
import type { z } from 'zod';
import type { METHODS, Method, Response } from '../api/contract.ts';
import type { Database } from '../store/index.ts';
import type { JobRunner } from '../jobs/runner.ts';
import type { EventHub } from './events.ts';

/** What every handler may use. */
export interface ServiceContext {
  /** The workspace database (the server's connection). */
  db: Database;
  /** The workspace folder. */
  dataDir: string;
  /** Runs long work in worker processes. */
  runner: JobRunner;
  /** Where contract events go. */
  events: EventHub;
}

/** A method's request after validation (defaults applied). */
export type ParsedRequest<M extends Method> = z.output<(typeof METHODS)[M]['request']>;

/** The implementation of one method. */
export type Handler<M extends Method> = (request: ParsedRequest<M>) => Promise<Response<M>> | Response<M>;

/** Implementations of a set of methods. */
export type Handlers<K extends Method> = { [M in K]: Handler<M> };
