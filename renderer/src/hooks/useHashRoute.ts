/**
 * Hash routing (`#/runs/3`, `#/chat/5`): enough for a single-window app and for file:// under Electron.
 * A route is the list of path segments plus the query string after `?`.
 */
import { useEffect, useState } from 'react';

/** A parsed hash route. */
export interface Route {
  /** Path segments, e.g. `['runs', '3']`; `[]` for `#/`. */
  segments: string[];
  /** Query parameters after `?` in the hash. */
  query: URLSearchParams;
}

/** Parses a `location.hash`. */
export function parseHash(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const [path, qs = ''] = body.split('?', 2);
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(qs) };
}

/** Navigates to `path` (e.g. `/runs/3`). */
export function navigate(path: string): void {
  window.location.hash = `#${path.startsWith('/') ? path : `/${path}`}`;
}

/** The current route, updated on hashchange. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
