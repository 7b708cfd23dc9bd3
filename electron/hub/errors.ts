/**
 * Errors of the Hugging Face Hub download, each with a `kind` the UI can switch on and a message that says what
 * happened and what to do about it.
 */

/** What went wrong in a Hub download. */
export type HubErrorKind =
  /** Bad arguments (repo, file, revision, endpoint). */
  | 'invalid-argument'
  /** HTTP 404 (or the Hub's RepoNotFound / EntryNotFound): the repo, revision or file does not exist. */
  | 'not-found'
  /** HTTP 401/403: a gated or private repo that needs an access token / accepted licence. */
  | 'access-denied'
  /** The endpoint (or the CDN it redirected to) could not be reached at all. */
  | 'network'
  /** The connection broke or stalled in the middle of the body; the `.part` file is kept for a resume. */
  | 'incomplete'
  /** The server answered a Range request inconsistently (a 206 for another range). */
  | 'bad-range'
  /** Too many redirects, a redirect without a Location, or an https → http downgrade. */
  | 'redirect'
  /** Any other unexpected HTTP status. */
  | 'http'
  /** The downloaded bytes do not have the expected sha256; the `.part` file has been deleted. */
  | 'checksum';

/** Extra facts about a failed download. */
export interface HubErrorDetails {
  /** The URL that failed (after redirects, when known). */
  url?: string;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The underlying error (a Node system error, …). */
  cause?: unknown;
}

/** A failed Hub download. `kind` classifies it; the message is meant for the user. */
export class HubDownloadError extends Error {
  override readonly name = 'HubDownloadError';
  /** What went wrong. */
  readonly kind: HubErrorKind;
  /** The URL that failed, when known. */
  readonly url: string | undefined;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  /** Creates an error of `kind` with a user-facing `message`. */
  constructor(kind: HubErrorKind, message: string, details: HubErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.url = details.url;
    this.status = details.status;
  }
}

/** The `code` of a Node system error (`ECONNREFUSED`, …), else its message. */
export function describeCause(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  }
  return String(err);
}

/**
 * The error for an endpoint that cannot be reached (DNS failure, refused connection, timeout before any answer).
 * The advice fits the app and the CLI alike: a reachable Hub mirror, or a model already on disk. (The CLI demo
 * adds its own hint, see demo-model.ts.)
 */
export function networkError(endpoint: string, target: string, what: string, cause: unknown): HubDownloadError {
  const via = new URL(target).origin === new URL(endpoint).origin ? '' : ` (redirected to ${new URL(target).origin})`;
  return new HubDownloadError(
    'network',
    `Cannot reach ${endpoint}${via} to download ${what}: ${describeCause(cause)}. TrimLLM Studio is offline-first ` +
      'and only goes online for a download you start. Set a Hub mirror you can reach (Settings → Hub endpoint, or ' +
      'HF_ENDPOINT for the CLI), or import a model folder or file you already have (Models → Import).',
    { url: target, cause },
  );
}

/**
 * The error for an HTTP status that is not a success: 404 → not found, 401/403 → gated or private repo, other →
 * generic. `hubCode` is the Hub's `X-Error-Code` header (RepoNotFound, EntryNotFound, RevisionNotFound, GatedRepo…).
 */
export function statusError(url: string, status: number, hubCode: string | undefined, what: string): HubDownloadError {
  const code = hubCode ? `, ${hubCode}` : '';
  if (status === 404 || hubCode === 'RepoNotFound' || hubCode === 'EntryNotFound' || hubCode === 'RevisionNotFound') {
    const hint = status === 401 ? ' (or it is private and needs an access token)' : '';
    return new HubDownloadError(
      'not-found',
      `${url} not found on the Hub (HTTP ${status}${code})${hint}: check the repo id, revision and file name of ${what}.`,
      { url, status },
    );
  }
  if (status === 401 || status === 403) {
    return new HubDownloadError(
      'access-denied',
      `Access to ${url} was refused (HTTP ${status}${code}): ${what} is in a gated or private repo. Accept its ` +
        'licence on the Hub with an account that has access, or download it there and point the app at the local copy.',
      { url, status },
    );
  }
  return new HubDownloadError('http', `Downloading ${what} from ${url} failed with HTTP ${status}${code}.`, { url, status });
}
