/**
 * Server mode (DESIGN.md §3, §5): the same API as the desktop app's IPC, over HTTP and a WebSocket, on
 * 127.0.0.1 with a random token, plus the built renderer and an OpenAI-compatible endpoint.
 *
 *   POST /api/<method>        the contract's methods (api-routes.ts)        Authorization: Bearer <token>
 *   GET  /api/events?token=   WebSocket of the contract's events (ws.ts)
 *   GET  /v1/models, POST /v1/chat/completions (openai.ts)                  Authorization: Bearer <token>
 *   GET  /…                   the renderer's files (static.ts); the page reads the token from `#token=…`
 *
 * Every response carries a strict CSP and `X-Content-Type-Options: nosniff`. Long work runs in worker
 * processes (jobs/runner.ts); close() stops jobs at their checkpoints, then closes the database.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, workerKeyEnv } from '../store/index.ts';
import { openWorkspace } from '../app/workspace.ts';
import { JobRunner } from '../jobs/runner.ts';
import { ExternalRunWatcher } from '../jobs/run-progress.ts';
import type { WorkerHost } from '../jobs/host.ts';
import { bearerToken, generateToken, tokenMatches } from './auth.ts';
import { handleApiCall, toHttpError } from './api-routes.ts';
import { EventHub } from './events.ts';
import { checkListenHost } from './hosts.ts';
import { DEFAULT_BODY_LIMIT, HttpError, sendError, setSecurityHeaders } from './http.ts';
import { handleOpenAi, sendOpenAiError } from './openai.ts';
import { createApiService } from './service.ts';
import { workerEnv } from './service-settings.ts';
import { serveStatic } from './static.ts';
import { attachEventSocket } from './ws.ts';

/** The repository root (renderer/dist is resolved against it). */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Options of startServer. */
export interface ServerOptions {
  /** The workspace folder (holds trimllm.db). */
  dataDir: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listen address; default 127.0.0.1. Anything but loopback needs allowRemote. */
  host?: string;
  /** Allow a non-loopback listen address (the result's warnings say so). Default false. */
  allowRemote?: boolean;
  /** Built renderer folder, absolute or relative to the repository root; default renderer/dist. */
  staticDir?: string;
  /** The access token; default a new random one. */
  token?: string;
  /** Largest request body in bytes; default 1 MiB. */
  bodyLimit?: number;
  /** Starts the worker processes; default child_process.fork (Electron passes its utilityProcess host). */
  workerHost?: WorkerHost;
  /** How long close() waits for a running trim to stop at its checkpoint (ms; default 60 s). */
  stopGraceMs?: number;
  /** How often runs trained by another process (the CLI) are checked for new progress (ms; default 1 s). */
  externalPollMs?: number;
  /** Told about anything worth a line in the server's log (an event payload outside the contract). */
  log?: (line: string) => void;
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:7860 (without the token). */
  url: string;
  port: number;
  host: string;
  token: string;
  /** Things to tell the user (e.g. that remote access is on). */
  warnings: string[];
  /** The event hub (Electron or tests may subscribe directly). */
  events: EventHub;
  /** Stops jobs at their checkpoints, closes connections, the workers and the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the server.
 * @throws RemoteBindError for a non-loopback host without allowRemote; the listen error (EADDRINUSE …) when
 *   the port cannot be bound (the database is closed again then)
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const warnings = checkListenHost(host, options.allowRemote ?? false);
  const token = options.token ?? generateToken();
  const staticDir = resolve(REPO_ROOT, options.staticDir ?? 'renderer/dist');
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dataDir = resolve(options.dataDir);
  const db = openWorkspace(dataDir); // marks runs left 'running' by a dead process 'interrupted'
  const events = new EventHub((event, message) => log(`dropped event ${event} outside the contract: ${message}`));
  const runner = new JobRunner({
    dataDir, db, onEvent: (e, p) => events.publish(e, p), workerEnv: () => ({ ...workerEnv(db), ...workerKeyEnv() }),
    ...(options.workerHost ? { host: options.workerHost } : {}),
    ...(options.stopGraceMs !== undefined ? { stopGraceMs: options.stopGraceMs } : {}),
  });
  const service = createApiService({ db, dataDir, runner, events });
  // Runs trained by another process (the CLI) get live progress too, from their rows in the database.
  const external = new ExternalRunWatcher(db, (e, p) => events.emit(e, p), (runId) => runner.activeTrim()?.runId === runId);
  const externalTimer = setInterval(() => external.poll(), options.externalPollMs ?? 1000);
  externalTimer.unref();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    const pathname = (req.url ?? '/').split('?')[0]!;
    const isApi = pathname === '/api' || pathname.startsWith('/api/');
    const isV1 = pathname === '/v1' || pathname.startsWith('/v1/');
    try {
      if ((isApi || isV1) && !tokenMatches(bearerToken(req), token)) {
        throw new HttpError(401, 'Unauthorized', 'missing or wrong token: send "Authorization: Bearer <token>" (printed by trimllm serve)');
      }
      if (isV1) return await handleOpenAi(req, res, { db, runner }, pathname, bodyLimit);
      if (isApi) return await handleApiCall(req, res, service, pathname.slice('/api/'.length), bodyLimit);
      return await serveStatic(req, res, staticDir, pathname);
    } catch (e) {
      const err = toHttpError(pathname, e);
      if (res.headersSent) return void res.destroy();
      const headers: Record<string, string> = err.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
      if (err.status === 413) headers.Connection = 'close';
      if (isV1) {
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        return sendOpenAiError(res, err);
      }
      sendError(res, err, headers);
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  const socket = attachEventSocket(server, events, token);
  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', fail);
        done();
      });
    });
  } catch (e) {
    clearInterval(externalTimer);
    socket.close();
    await service.close();
    await runner.close();
    closeDatabase(db);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${options.port} on ${host} is already in use (another trimllm serve?); choose another with --port N, or --port 0 for any free one`);
    }
    throw e;
  }
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${address.port}`, port: address.port, host: address.address, token, warnings, events,
    close() {
      closing ??= (async () => {
        server.close();
        clearInterval(externalTimer);
        await service.close();
        await runner.close(); // trims stop at their checkpoint; job.finished still reaches open sockets
        socket.close();
        server.closeAllConnections();
        closeDatabase(db);
      })();
      return closing;
    },
  };
}

export { RemoteBindError, isLoopbackHost } from './hosts.ts';
export { CSP } from './http.ts';
