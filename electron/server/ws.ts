/**
 * The event WebSocket, `/api/events`: every contract event as a JSON text message `{event, payload}`.
 * Browsers cannot set headers on a WebSocket, and a token in the URL would end up in logs and history, so the
 * client sends it as its first message (electron/api/event-socket-auth.ts; compared in constant time). Until
 * then the socket gets nothing; a wrong token, none within the time limit, or a URL carrying `token=` closes it.
 */
import type { Server, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AUTH_MESSAGE, AUTH_TIMEOUT_MS, READY_MESSAGE, UNAUTHORIZED_CLOSE } from '../api/event-socket-auth.ts';
import { tokenMatches } from './auth.ts';
import type { EventHub } from './events.ts';

/** Path of the event socket. */
export const EVENTS_PATH = '/api/events';

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Whether a client's first message is the auth message with the right token. */
function authorized(data: RawData, token: string): boolean {
  let parsed: unknown;
  try {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data));
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return false;
  }
  const message = AUTH_MESSAGE.safeParse(parsed);
  return message.success && tokenMatches(message.data.token, token);
}

/** Attaches the event socket to an HTTP server. @returns a function that closes every connection */
export function attachEventSocket(server: Server, hub: EventHub, token: string): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const alive = new WeakMap<WebSocket, boolean>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== EVENTS_PATH) return refuse(socket, '404 Not Found');
    if (url.searchParams.has('token')) return refuse(socket, '400 Bad Request'); // a token in a URL is a leaked token
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      const timer = setTimeout(() => ws.close(UNAUTHORIZED_CLOSE, 'no auth message'), AUTH_TIMEOUT_MS);
      ws.once('message', (data: RawData) => {
        clearTimeout(timer);
        if (!authorized(data, token)) return ws.close(UNAUTHORIZED_CLOSE, 'unauthorized');
        const unsubscribe = hub.subscribe((event, payload) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
        });
        ws.on('close', unsubscribe);
        ws.on('error', unsubscribe);
        ws.send(JSON.stringify(READY_MESSAGE));
      });
      ws.on('pong', () => alive.set(ws, true));
      ws.on('close', () => clearTimeout(timer));
    });
  });
  // Drop clients that stopped answering pings (a closed laptop lid, a killed browser).
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();
  return {
    close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
