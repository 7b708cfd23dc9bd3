/**
 * How a client proves itself on the event WebSocket (`/api/events`) of server mode, shared by the server
 * (electron/server/ws.ts) and the renderer (renderer/src/api/events-socket.ts). The token never travels in the
 * URL (where access logs, browser history and proxies keep it): the client's first message carries it.
 *
 *   client → server   {"type":"auth","token":"<token>"}     first message, within AUTH_TIMEOUT_MS of the upgrade
 *   server → client   {"type":"ready"}                      then the events, `{event, payload}`
 *   server closes     code UNAUTHORIZED_CLOSE               wrong token, no auth message in time, or a token in the URL
 */
import { z } from 'zod';

/** The first message a client sends. */
export const AUTH_MESSAGE = z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(256) });

/** The server's answer to a good token; events follow it. */
export const READY_MESSAGE = { type: 'ready' } as const;

/** How long the server waits for the auth message before closing the socket (milliseconds). */
export const AUTH_TIMEOUT_MS = 10_000;

/** The close code for a client that did not prove itself (4000–4999: application codes, RFC 6455 §7.4.2). */
export const UNAUTHORIZED_CLOSE = 4401;
