/**
 * The IPC channel names and the allow-lists of the preload, written out as plain literals so the sandboxed preload
 * (which can `require` only 'electron') bundles to a few lines without zod or the contract's schemas. The type
 * checks below keep these lists equal to the contract's METHODS and EVENTS: adding a method there without adding
 * it here (or the reverse) fails `tsc`.
 *
 * Runtime-neutral: no imports at run time (main process, preload and tests share it).
 */
import type { EventName, Method } from '../api/contract.ts';

/** The one invoke channel: `(method, request)` → `CallResult`. */
export const CALL_CHANNEL = 'trimllm:call';
/** The one push channel: main → renderer `{ event, payload }`. */
export const EVENT_CHANNEL = 'trimllm:event';
/** The key of the API on `window` in the renderer (`window.trimllm`). */
export const API_KEY = 'trimllm';

/** Every method the preload lets through (same set as the contract's METHOD_NAMES). */
export const ALLOWED_METHODS = [
  'system.doctor',
  'models.list', 'models.import', 'models.inspect', 'models.delete',
  'hub.download', 'hub.downloads', 'hub.cancel', 'hub.resume',
  'datasets.list', 'datasets.preview', 'datasets.import', 'datasets.delete', 'datasets.rename',
  'files.browse', 'files.choose', 'server.models',
  'runs.list', 'runs.get', 'runs.start', 'runs.estimate', 'runs.resume', 'runs.cancel', 'runs.report', 'runs.delete', 'checkpoints.export',
  'chats.list', 'chats.create', 'chats.messages', 'chats.send', 'chats.regenerate', 'chats.editMessage', 'chats.delete', 'chats.stop',
  'settings.get', 'settings.set', 'store.vacuum', 'store.backup',
  'evaluations.start', 'evaluations.list', 'evaluations.cancel',
] as const satisfies readonly Method[];

/** Every event the preload delivers (same set as the contract's EVENT_NAMES). */
export const ALLOWED_EVENTS = [
  'job.progress', 'job.finished', 'run.checkpoint', 'run.scan', 'download.progress', 'download.finished', 'export.progress', 'chat.delta', 'chat.done',
  'evaluation.cell',
] as const satisfies readonly EventName[];

// Compile-time completeness: each resolves to `true` only when no contract name is missing from the list above.
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : never;
const _methodsComplete: Missing<Method, (typeof ALLOWED_METHODS)[number]> = true;
const _eventsComplete: Missing<EventName, (typeof ALLOWED_EVENTS)[number]> = true;
void _methodsComplete;
void _eventsComplete;

/** What the main process answers on CALL_CHANNEL: errors cross as name + message only. */
export type CallResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { name: string; message: string } };

/** What the main process pushes on EVENT_CHANNEL. */
export interface EventMessage {
  event: string;
  payload: unknown;
}
