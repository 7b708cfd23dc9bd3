/** sha256 of files on disk, streamed (never the whole file in memory). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The sha256 of the file at `path`, lowercase hex, or null when it does not exist.
 *
 * @throws file-system errors other than ENOENT; the abort reason when `signal` fires.
 */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
  return hash.digest('hex');
}
