/**
 * One HTTP(S) GET with manual redirect following, on node:http/https (no dependencies, no global agent tweaks).
 * Used only by the user-started Hub download.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { HubDownloadError } from './errors.ts';

/** Statuses that carry a `Location` to follow. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Options of {@link getFollowingRedirects}. */
export interface GetOptions {
  /** Request headers, sent again to every redirect target. */
  headers: Record<string, string>;
  /** Aborts the request (and the body stream of the answer). */
  signal?: AbortSignal;
  /** Most redirects to follow. */
  maxRedirects: number;
  /** The socket is destroyed after this many seconds without any data (before or during the body). */
  idleTimeoutSeconds: number;
}

/** The final answer: its response (body not yet read) and the URL it came from. */
export interface FinalResponse {
  /** The response; its body is not read yet. */
  response: IncomingMessage;
  /** The URL it answered, after redirects. */
  url: URL;
}

/** A request that got no answer (DNS failure, refused or reset connection, timeout): names the URL tried. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  /** The URL that could not be fetched. */
  readonly url: string;

  /** Wraps `cause` (a Node system error with `code`) for `url`. */
  constructor(url: string, cause: unknown) {
    super(`GET ${url} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.url = url;
  }
}

/** A Node system error with a code, for timeouts. */
function timeoutError(seconds: number): Error {
  return Object.assign(new Error(`no data for ${seconds} s`), { code: 'ETIMEDOUT' });
}

/** Sends one GET; resolves with the response headers, rejects with the socket/DNS error or the abort. */
function getOnce(url: URL, options: GetOptions): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const timeout = options.idleTimeoutSeconds * 1000; // socket idle time before 'timeout'
    const req = client.get(url, { headers: options.headers, signal: options.signal, timeout }, (res) => {
      response = res;
      resolve(res);
    });
    req.on('timeout', () => {
      const err = timeoutError(options.idleTimeoutSeconds);
      response?.destroy(err); // so that a reader of the body sees ETIMEDOUT rather than a bare reset
      req.destroy(err);
    });
    // Stays attached for the life of the request: errors after the response are surfaced by the response stream.
    req.on('error', reject);
  });
}

/**
 * GETs `url`, following up to `maxRedirects` redirects (relative `Location`s resolved against the current URL;
 * an https → http downgrade is refused). Resolves with the first non-redirect response, whatever its status; its body
 * is the caller's to consume or destroy.
 *
 * @throws HubDownloadError('redirect') on too many redirects, a missing Location or a downgrade; RequestError
 *   (its `cause` a Node error with `code`) when a request gets no answer; the abort reason when `signal` fires.
 */
export async function getFollowingRedirects(start: URL, options: GetOptions): Promise<FinalResponse> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    let response: IncomingMessage;
    try {
      response = await getOnce(url, options);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new RequestError(url.href, err);
    }
    const status = response.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return { response, url };
    response.destroy();
    const location = response.headers.location;
    if (!location) {
      throw new HubDownloadError('redirect', `${url} answered HTTP ${status} without a Location.`, { url: url.href, status });
    }
    if (redirects >= options.maxRedirects) {
      throw new HubDownloadError('redirect', `Too many redirects (more than ${options.maxRedirects}) from ${start}.`, {
        url: url.href,
        status,
      });
    }
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new HubDownloadError('redirect', `${url} redirected to an unsupported URL ${next}.`, { url: url.href, status });
    }
    if (url.protocol === 'https:' && next.protocol === 'http:') {
      throw new HubDownloadError('redirect', `${url} redirected from https to plain http (${next}); refused.`, {
        url: url.href,
        status,
      });
    }
    url = next;
  }
}
