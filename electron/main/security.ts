/**
 * The security decisions of the desktop app (DESIGN.md §5), as pure functions over strings so they are tested
 * under plain Node: the app's own origin, the Content-Security-Policy, which navigations, requests and permission
 * requests are allowed, and which IPC senders are trusted. window.ts and index.ts wire them into Electron.
 *
 * Runtime-neutral: no 'electron' import.
 */

/** The privileged custom scheme the renderer is served from (never file:// or http://). */
export const APP_SCHEME = 'app';
/** The host of the app's pages: every page of the app lives under APP_ORIGIN. */
export const APP_HOST = 'trimllm';
/** The app's own origin. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The Content-Security-Policy of every response the renderer receives: only the app's own scripts, styles (inline
 * style attributes, which React's `style` prop needs), images (and data: URLs for inline SVG plots) and
 * connections; no plugins, no framing, no <base>, no form submissions. A literal string, so static auditors
 * (electronegativity's CSP_GLOBAL_CHECK) parse the same policy the app sends.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when `url` is a page of the app itself (scheme `app:`, host `trimllm`, no credentials or port). */
export function isAppUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.hostname === APP_HOST && u.port === '' &&
    u.username === '' && u.password === '';
}

/** `will-navigate` / `will-redirect`: only the app's own pages; everything else is prevented. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** `setWindowOpenHandler`: the app never opens windows (nor hands links to the OS browser). */
export function windowOpenDecision(_url: string): { action: 'deny' } {
  return { action: 'deny' };
}

/** `setPermissionRequestHandler` / `setPermissionCheckHandler`: every permission is refused. */
export function isPermissionGranted(_permission: string): false {
  return false;
}

/**
 * `webRequest.onBeforeRequest`: no network traffic from the renderer. The app's pages and inline `data:`/`blob:`
 * values load; every other scheme (http, https, ws, file, ftp, …) is cancelled. The one network feature (the
 * explicit model download) runs in the main process, outside this session.
 */
export function isRequestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  const u = parse(url);
  return u !== null && (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'devtools:');
}

/** Response headers (Electron's shape) with any CSP the response carried replaced by ours. */
export function withContentSecurityPolicy(
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** The part of an IPC event's `senderFrame` (WebFrameMain) the sender check reads. */
export interface FrameLike {
  url: string;
  parent: unknown;
}

/**
 * The IPC sender check: the call must come from the top frame of a page of the app. A missing frame (navigated
 * away or destroyed), a sub-frame, or any other origin is refused.
 */
export function isTrustedSender(frame: FrameLike | null | undefined): boolean {
  return frame != null && frame.parent == null && isAppUrl(frame.url);
}
