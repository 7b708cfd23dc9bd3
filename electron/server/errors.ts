/**
 * Errors of the API service that carry an HTTP status. Every error crosses the boundary as {name, message}
 * (STYLE.md "Electron"); the status only matters to the HTTP server.
 */

/** A model, dataset, run, checkpoint or chat that does not exist (404). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A request that is valid by the schema but not in the current state, e.g. resuming a completed run (409). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/**
 * Runs `call`; an error it throws (a store or job refusing in the current state, e.g. "used by runs 3, 4: delete
 * those first") becomes a ConflictError (409) with the same message.
 * @throws ConflictError when `call` throws
 */
export function asConflict<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw new ConflictError((e as Error).message);
  }
}

/**
 * HTTP status for an error thrown by a method: 404, 409 (also JobBusyError), 400 for unusable input files or
 * mappings (the user's to fix), else 500.
 */
export function statusOf(error: unknown): number {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotFoundError') return 404;
  if (name === 'ConflictError' || name === 'JobBusyError') return 409;
  if (['UsageError', 'DatasetMappingError', 'DatasetRecordError', 'InputFileError'].includes(name)) return 400;
  return 500;
}
