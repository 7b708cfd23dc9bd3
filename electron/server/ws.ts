/**
 * The event WebSocket, `/api/events?token=…`: every contract event as a JSON text message `{event, payload}`.
 * Browsers cannot set headers on a WebSocket, so the token comes in the query (compared in constant time); a
 * wrong or missing token is refused with 401 before the upgrade.
 */
import type { Server, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { tokenMatches } from './auth.ts';
import type { EventHub } from './events.ts';

/** Path of the event socket. */
export const EVENTS_PATH = '/api/events';

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Attaches the event socket to an HTTP server. @returns a function that closes every connection */
export function attachEventSocket(server: Server, hub: EventHub, token: string): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const alive = new WeakMap<WebSocket, boolean>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== EVENTS_PATH) return refuse(socket, '404 Not Found');
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuse(socket, '401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      const unsubscribe = hub.subscribe((event, payload) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
      });
      ws.on('pong', () => alive.set(ws, true));
      ws.on('close', unsubscribe);
      ws.on('error', unsubscribe);
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
