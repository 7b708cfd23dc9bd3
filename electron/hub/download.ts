/**
 * Resumable download of one file from the Hugging Face Hub (DESIGN.md §5): the ONLY network access of the app, and
 * only when the user starts it. The endpoint is an option, else `HF_ENDPOINT`, else https://huggingface.co, so tests
 * (and offline mirrors) serve the same `/{repo}/resolve/{revision}/{file}` paths from 127.0.0.1.
 *
 * The bytes go to `dest + '.part'`; a later call resumes it with `Range: bytes=N-`. Only a complete (and, when a
 * hash is given, verified) file is renamed to `dest`, so `dest` is never half-written.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, resolve } from 'node:path';
import { HubDownloadError, describeCause, networkError, statusError } from './errors.ts';
import { RequestError, getFollowingRedirects, type GetOptions } from './http.ts';
import { ProgressMeter, type DownloadProgress } from './progress.ts';

export { HubDownloadError, type HubErrorKind } from './errors.ts';
export type { DownloadProgress } from './progress.ts';

/** The public Hub, used when neither the `endpoint` option nor `HF_ENDPOINT` is set. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';
/** Most redirects followed (the Hub redirects once, to its CDN). */
export const MAX_REDIRECTS = 5;

/** Options of {@link downloadHubFile}. */
export interface HubDownloadOptions {
  /** Repo id, `owner/name` (e.g. `karpathy/tinyllamas`). */
  repo: string;
  /** Path of the file in the repo (e.g. `stories260K/stories260K.bin`). */
  file: string;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** Where the file ends up; the download goes to `dest + '.part'` until complete. Parent folders are created. */
  dest: string;
  /** Hub base URL; default `HF_ENDPOINT`, else {@link DEFAULT_HUB_ENDPOINT}. */
  endpoint?: string;
  /** Expected sha256 (hex) of the whole file; checked before `dest` is written. */
  sha256?: string;
  /** Progress, at most every ~100 ms, plus one at the start and one at the end. An exception thrown here ends the download. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborts the download, keeping the `.part` file for a later resume; the promise rejects with the abort reason. */
  signal?: AbortSignal;
  /** Seconds without any data after which the connection is dropped (default 60). */
  idleTimeoutSeconds?: number;
}

/** A finished download. */
export interface HubDownloadResult {
  /** Absolute path of the downloaded file (`dest`). */
  path: string;
  /** Its size in bytes. */
  bytes: number;
  /** Its sha256, lowercase hex. */
  sha256: string;
  /** True when the download continued an existing `.part` file instead of starting from byte 0. */
  resumed: boolean;
}

/** The endpoint to use: `explicit`, else `HF_ENDPOINT`, else the public Hub; without trailing slashes. */
export function resolveHubEndpoint(explicit?: string): string {
  const raw = explicit || process.env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT;
  const endpoint = raw.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new HubDownloadError('invalid-argument', `Hub endpoint ${JSON.stringify(raw)} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HubDownloadError('invalid-argument', `Hub endpoint ${raw} must be an http(s) URL.`);
  }
  return endpoint;
}

/**
 * The download URL `${endpoint}/${repo}/resolve/${revision}/${file}` (each segment percent-encoded; the revision as
 * one segment, so `refs/pr/1` works).
 *
 * @throws HubDownloadError('invalid-argument') for a malformed repo id, file path or revision.
 */
export function hubFileUrl(endpoint: string, repo: string, revision: string, file: string): URL {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(repo) || repo.split('/').some((s) => s === '.' || s === '..')) {
    throw new HubDownloadError('invalid-argument', `Repo id ${JSON.stringify(repo)} is not of the form owner/name.`);
  }
  const segments = file.split('/');
  if (file === '' || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new HubDownloadError('invalid-argument', `File path ${JSON.stringify(file)} is not a relative path in the repo.`);
  }
  if (revision === '') throw new HubDownloadError('invalid-argument', 'The revision is empty.');
  const path = segments.map(encodeURIComponent).join('/');
  return new URL(`${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`);
}

/** Size of a file in bytes, or 0 when it does not exist. */
async function sizeOrZero(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** Parses `Content-Range: bytes START-END/TOTAL` (or `bytes *\/TOTAL`); TOTAL null when `*`. */
function parseContentRange(header: string | undefined): { start: number | null; total: number | null } | null {
  const m = /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!m) return null;
  return { start: m[1] === undefined ? null : Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

/** `Content-Length` as a number, or null. */
function contentLength(response: IncomingMessage): number | null {
  const raw = response.headers['content-length'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
}

/** Feeds the first `bytes` bytes of `path` into `hash`. */
async function hashPrefix(hash: Hash, path: string, bytes: number, signal?: AbortSignal): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1, signal })) hash.update(chunk as Buffer);
}

/** Writes all of `chunk` at the file's current position (write() may write less than asked). */
async function writeAll(out: FileHandle, chunk: Buffer): Promise<void> {
  for (let done = 0; done < chunk.length; ) done += (await out.write(chunk, done, chunk.length - done)).bytesWritten;
}

/** Throws the abort reason if `signal` has fired. */
function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The download was aborted.', 'AbortError');
}

/**
 * Downloads `file` of `repo` at `revision` to `dest`, resuming an existing `dest + '.part'` with a Range request
 * (a server answering 200 instead restarts from byte 0; one answering 416 for an already complete `.part` is
 * taken at its word). Follows up to {@link MAX_REDIRECTS} redirects. Resolves once `dest` holds the complete file.
 *
 * @throws HubDownloadError — 'not-found' (404: the message names the URL), 'access-denied' (401/403: gated or
 *   private repo), 'network' (endpoint unreachable: names it and suggests a local copy), 'incomplete' (the
 *   connection broke mid-body; `.part` kept), 'bad-range' (a 206 for the wrong range), 'redirect', 'http',
 *   'checksum' (sha256 mismatch: `.part` deleted, the message names the file, the expected and the actual hash),
 *   'invalid-argument'; the abort reason (an AbortError by default) when `signal` fires (`.part` kept); file-system
 *   errors (ENOSPC, EACCES…) as they are.
 */
export async function downloadHubFile(options: HubDownloadOptions): Promise<HubDownloadResult> {
  const { repo, file, signal, onProgress } = options;
  const revision = options.revision ?? 'main';
  const endpoint = resolveHubEndpoint(options.endpoint);
  const url = hubFileUrl(endpoint, repo, revision, file);
  const expected = options.sha256?.trim().toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    throw new HubDownloadError('invalid-argument', `Expected sha256 ${JSON.stringify(options.sha256)} is not 64 hex digits.`);
  }
  const dest = resolve(options.dest);
  const part = `${dest}.part`;
  const what = `${repo}/${file}@${revision}`;
  const http: Omit<GetOptions, 'headers'> = {
    signal,
    maxRedirects: MAX_REDIRECTS,
    idleTimeoutSeconds: options.idleTimeoutSeconds ?? 60,
  };
  checkAborted(signal);
  await mkdir(dirname(dest), { recursive: true });

  const request = async (from: number): Promise<{ response: IncomingMessage; final: URL }> => {
    const headers: Record<string, string> = { 'user-agent': 'trimllm-studio', 'accept-encoding': 'identity' };
    if (from > 0) headers.range = `bytes=${from}-`;
    try {
      const { response, url: final } = await getFollowingRedirects(url, { ...http, headers });
      return { response, final };
    } catch (err) {
      checkAborted(signal);
      if (!(err instanceof RequestError)) throw err;
      throw networkError(endpoint, err.url, what, err.cause);
    }
  };

  let offset = await sizeOrZero(part);
  let { response, final } = await request(offset);
  let status = response.statusCode ?? 0;
  let total: number | null;
  if (offset > 0 && status === 416) {
    // The .part may already hold the whole file (a download killed between the last byte and the rename).
    response.destroy();
    const range = parseContentRange(response.headers['content-range']);
    if (range?.total !== offset) {
      await rm(part, { force: true });
      offset = 0;
      ({ response, final } = await request(0));
      status = response.statusCode ?? 0;
    }
  }
  if (offset > 0 && status === 416) {
    total = offset;
  } else if (offset > 0 && status === 206) {
    const range = parseContentRange(response.headers['content-range']);
    if (range?.start !== offset) {
      response.destroy();
      throw new HubDownloadError(
        'bad-range',
        `${final} answered a request for bytes ${offset}- with Content-Range ${JSON.stringify(response.headers['content-range'] ?? null)}: ` +
          `the server does not handle Range requests correctly. Delete ${part} to download from the start.`,
        { url: final.href, status },
      );
    }
    total = range.total;
  } else if (status === 200) {
    offset = 0; // a server that ignores Range sends the whole file: start over
    total = contentLength(response);
  } else {
    response.destroy();
    const hubCode = response.headers['x-error-code'];
    throw statusError(final.href, status, typeof hubCode === 'string' ? hubCode : undefined, what);
  }
  const resumed = offset > 0;

  const hash = createHash('sha256');
  await hashPrefix(hash, part, offset, signal).catch((err: unknown) => {
    response.destroy();
    checkAborted(signal);
    throw err;
  });
  const meter = new ProgressMeter(file, total, onProgress);
  let bytes = offset;
  if (status !== 416) {
    const out = await open(part, resumed ? 'a' : 'w');
    try {
      meter.update(bytes, true);
      const chunks = response[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = (await chunks.next()) as IteratorResult<Buffer>;
        } catch (err) {
          checkAborted(signal);
          throw incompleteError(final, bytes, total, part, err);
        }
        if (next.done) break;
        await writeAll(out, next.value);
        hash.update(next.value);
        bytes += next.value.length;
        meter.update(bytes);
      }
    } finally {
      response.destroy();
      await out.close();
    }
    checkAborted(signal);
    if (total !== null && bytes !== total) throw incompleteError(final, bytes, total, part, undefined);
  }
  meter.update(bytes, true);

  const actual = hash.digest('hex');
  if (expected !== undefined && actual !== expected) {
    await rm(part, { force: true });
    throw new HubDownloadError(
      'checksum',
      `sha256 mismatch for ${what} (${dest}): expected ${expected}, got ${actual}. The partial file was deleted; ` +
        'download it again.',
      { url: final.href },
    );
  }
  await rename(part, dest);
  return { path: dest, bytes, sha256: actual, resumed };
}

/** The error for a body that stopped early; the `.part` stays for a resume. */
function incompleteError(url: URL, bytes: number, total: number | null, part: string, cause: unknown): HubDownloadError {
  const why = cause === undefined ? 'the server closed the connection' : describeCause(cause);
  return new HubDownloadError(
    'incomplete',
    `The download from ${url.origin} stopped after ${bytes} of ${total ?? 'unknown'} bytes (${why}). ` +
      `The partial file ${part} is kept; download again to resume from there.`,
    { url: url.href, cause },
  );
}
