/**
 * Static files of the built renderer (`npm run build:ui` → renderer/dist). Paths are decoded, resolved and
 * checked to stay inside the folder (also after following symbolic links), so `..` and encoded variants cannot
 * reach other files. `/` and extension-less paths (client-side routes) get index.html. Without a build, `/`
 * answers a short page saying how to make one.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { HttpError } from './http.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.webp': 'image/webp', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8', '.wasm': 'application/wasm', '.webmanifest': 'application/manifest+json',
};

/** The page served at `/` when the renderer has not been built. */
export const NO_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TrimLLM Studio</title></head>
<body><h1>TrimLLM Studio</h1>
<p>The user interface has not been built yet. Run <code>npm run build:ui</code> in the repository, then reload this page.</p>
<p>The API is running: <code>POST /api/&lt;method&gt;</code> with <code>Authorization: Bearer &lt;token&gt;</code>.</p>
</body></html>
`;

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The file a URL path names inside `root`, or null when there is none.
 * @throws HttpError 400 for a malformed or NUL-containing path, 403 for one that leaves the folder
 */
export async function resolveStaticPath(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    throw new HttpError(400, 'BadRequest', 'malformed URL path');
  }
  if (decoded.includes('\0')) throw new HttpError(400, 'BadRequest', 'malformed URL path');
  const base = resolve(root);
  const wanted = resolve(base, `.${decoded.startsWith('/') ? '' : '/'}${decoded.replace(/\\/g, '/')}`);
  if (!inside(base, wanted)) throw new HttpError(403, 'Forbidden', 'path outside the static folder');
  let target = decoded.endsWith('/') ? resolve(wanted, 'index.html') : wanted;
  if (!(await isFile(target))) {
    if (extname(decoded) !== '') return null;
    target = resolve(base, 'index.html'); // a client-side route
    if (!(await isFile(target))) return null;
  }
  const [realBase, realTarget] = await Promise.all([realpath(base), realpath(target)]);
  if (!inside(realBase, realTarget)) throw new HttpError(403, 'Forbidden', 'path outside the static folder');
  return realTarget;
}

/**
 * Answers a GET/HEAD for a static file.
 * @throws HttpError 405 for other methods, 404 when there is no such file, 400/403 as resolveStaticPath
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'MethodNotAllowed', `${req.method} is not allowed here`);
  const file = await resolveStaticPath(root, pathname);
  if (!file) {
    if (pathname === '/' || pathname === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : NO_BUILD_PAGE);
      return;
    }
    throw new HttpError(404, 'NotFound', `no file ${pathname}`);
  }
  const info = await stat(file);
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(file);
    stream.on('error', fail);
    res.on('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
}
