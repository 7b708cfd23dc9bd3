/**
 * The server-mode access token. `trimllm serve` opens the page as `http://127.0.0.1:PORT/#token=<token>`: the
 * token is read from the hash once, kept in sessionStorage (so a reload keeps working) and removed from the
 * visible URL with history.replaceState (so it is not left in the address bar or copied with a link).
 */

const STORAGE_KEY = 'trimllm.token';
const TOKEN_IN_HASH = /(^#|[#&?])token=([^&]*)/;

/**
 * Takes the token out of `location.hash` (if there) into sessionStorage, rewriting the URL without it.
 * @returns the token, from the hash or from an earlier load; null when there is none
 */
export function captureToken(): string | null {
  const match = TOKEN_IN_HASH.exec(window.location.hash);
  if (match) {
    const token = decodeURIComponent(match[2]);
    try {
      window.sessionStorage.setItem(STORAGE_KEY, token);
    } catch {
      // storage disabled: the token still works for this page load
    }
    const rest = window.location.hash.replace(TOKEN_IN_HASH, (_all, lead: string) => (lead === '#' ? '#' : '')).replace(/^#[&?]/, '#');
    const hash = rest === '#' || rest === '' ? '#/' : rest;
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${hash}`);
    memoryToken = token;
    return token;
  }
  return readToken();
}

let memoryToken: string | null = null;

/** The token stored by captureToken (null when the page was opened without one). */
export function readToken(): string | null {
  if (memoryToken !== null) return memoryToken;
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
