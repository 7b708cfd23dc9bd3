/**
 * Which addresses the server may listen on (DESIGN.md §5): loopback only, unless the user explicitly allows
 * remote access, since anyone who can reach the port and learns the token controls the app.
 */
import { isIP } from 'node:net';

/** Thrown for a non-loopback listen address without allowRemote. */
export class RemoteBindError extends Error {
  override readonly name = 'RemoteBindError';
}

/** True for localhost, 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Checks a listen address.
 * @returns warnings to show the user (non-empty when remote access is allowed on a non-loopback address)
 * @throws RemoteBindError for a non-loopback address (0.0.0.0, ::, a LAN address, a host name) without allowRemote
 */
export function checkListenHost(host: string, allowRemote: boolean): string[] {
  if (isLoopbackHost(host)) return [];
  if (!allowRemote) {
    throw new RemoteBindError(
      `refusing to listen on ${host}: the server only binds a loopback address (127.0.0.1) unless remote access is ` +
        'allowed explicitly (--allow-remote / allowRemote), because anyone on the network who gets the token controls the app',
    );
  }
  return [
    `warning: listening on ${host}, reachable from other machines; anyone with the token can use your models and data ` +
      '(the traffic is not encrypted: use it only on a network you trust, or behind a TLS proxy)',
  ];
}
