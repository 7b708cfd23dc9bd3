/** Opening server mode's event WebSocket as the renderer does: token in the first message (electron/api/event-socket-auth.ts). */
import { WebSocket } from 'ws';

/**
 * Connects to `<server>/api/events`, sends the token, and resolves once the server answered "ready"; every
 * later message goes to `onMessage`.
 * @throws Error with the close code when the server closes the socket instead.
 */
export function openEventSocket(serverUrl: string, token: string, onMessage: (data: string) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${serverUrl.replace('http', 'ws')}/api/events`);
  return new Promise((resolve, reject) => {
    let ready = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.on('message', (data) => {
      const text = String(data);
      if (ready) return onMessage(text);
      if ((JSON.parse(text) as { type?: string }).type === 'ready') {
        ready = true;
        resolve(ws);
      }
    });
    ws.on('close', (code) => {
      if (!ready) reject(new Error(`event socket closed with ${code} before "ready"`));
    });
    ws.on('error', reject);
  });
}
