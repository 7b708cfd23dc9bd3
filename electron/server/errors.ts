/**
 * The HTTP status of the errors the API service throws (the use cases' errors are in app/errors.ts, re-exported
 * here for the handlers). Every error crosses the boundary as {name, message} (STYLE.md "Electron"); the status
 * only matters to the HTTP server.
 */

export { NotFoundError, ConflictError, asConflict } from '../app/errors.ts';

/**
 * HTTP status for an error thrown by a method: 404, 409 (also JobBusyError), 400 for unusable input files or
 * mappings (the user's to fix), else 500.
 */
export function statusOf(error: unknown): number {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotFoundError') return 404;
  if (name === 'ConflictError' || name === 'JobBusyError') return 409;
  if (['UsageError', 'DatasetMappingError', 'DatasetRecordError', 'DatasetSplitError', 'InputFileError'].includes(name)) return 400;
  return 500;
}
