/**
 * Errors the use cases throw when a request names something that is not there or is not possible in the current
 * state. Every face tells them apart by `name` (the HTTP server maps them to 404 and 409, server/errors.ts; the
 * CLI prints the message).
 */

/** A model, dataset, run, checkpoint or chat that does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A request that is valid by the schema but not in the current state, e.g. resuming a completed run. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/**
 * Runs `call`; an error it throws (a store or job refusing in the current state, e.g. "used by runs 3, 4: delete
 * those first") becomes a ConflictError with the same message.
 * @throws ConflictError when `call` throws
 */
export function asConflict<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw new ConflictError((e as Error).message);
  }
}
