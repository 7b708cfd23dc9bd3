/**
 * The server's access token (DESIGN.md §5: server mode requires a random token). Every /api and /v1 request
 * sends it as `Authorization: Bearer <token>`; the event WebSocket, which browsers cannot give headers, in its
 * first message (ws.ts). The UI page gets it from the URL fragment (`#token=…`), which browsers never send to
 * the server, so it stays out of request logs. `trimllm serve` prints that link only to a terminal; for logs
 * and scripts the token is in `<data dir>/server-token` (0600).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../store/private-files.ts';

/** The file in the data directory that holds a running server's token (mode 0600, rewritten at each start). */
export const TOKEN_FILE = 'server-token';

/** Writes the token to `<dataDir>/server-token`, readable by the owner only. @returns the file's path */
export function writeTokenFile(dataDir: string, token: string): string {
  const path = join(dataDir, TOKEN_FILE);
  writeFileSync(path, `${token}\n`, { mode: PRIVATE_FILE_MODE });
  return path;
}

/** A new random token: 24 bytes, base64url (32 characters). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Compares a presented token with the expected one in constant time: both are hashed to 32 bytes first, so
 * timingSafeEqual always compares equal-length buffers and the time taken does not depend on the token length.
 */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}
