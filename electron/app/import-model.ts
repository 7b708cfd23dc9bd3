/** Importing a model (llama2.c .bin or Hugging Face folder) into the workspace: used by the CLI, the worker and `trim`. */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { resolveModelPath } from '../../engine/io/model-path.ts';
import { loadModel } from '../../engine/io/load-model.ts';
import { keptParameterBytes } from '../../engine/model/params.ts';
import { findModelsBySha256, insertModel, type Database } from '../store/index.ts';
import type { AppEvents } from './events.ts';

/** SHA-256 of a file, streamed (lowercase hex). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Loads a model once (validating it) and records it in the workspace. With `reuse`, a model already recorded
 * from the same path, with the same SHA-256 (of the llama2.c file, or of a folder's config.json) and the same
 * tokenizer, is used instead of a second entry (so repeated `trim` runs do not pile up copies).
 * @returns the model id, new or reused
 * @throws InputFileError (from loadModel) naming the file when the model or its tokenizer is invalid
 */
export async function registerModel(
  db: Database, path: string, options: { tokenizer?: string; name?: string; reuse?: boolean } = {}, events: AppEvents = {},
): Promise<number> {
  const source = resolveModelPath(resolve(path));
  const isFolder = statSync(source, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const weightsFile = isFolder ? join(source, 'config.json') : source;
  const sha256 = statSync(weightsFile, { throwIfNoEntry: false })?.isFile() ? await sha256File(weightsFile) : null;
  if (options.reuse && sha256) {
    // Without --tokenizer the model's own (in its folder / beside its file) is used: reuse only such an entry.
    const home = `${isFolder ? source : dirname(source)}${sep}`;
    const tokenizerMatches = (stored: string | undefined): boolean =>
      options.tokenizer ? stored === resolve(options.tokenizer) : stored?.startsWith(home) === true;
    const same = findModelsBySha256(db, sha256).find((m) => m.source === source &&
      tokenizerMatches((m.config as { tokenizer?: string }).tokenizer));
    if (same) {
      events.onMessage?.(`using model ${same.id} (already imported from ${source})`);
      return same.id;
    }
  }
  const loaded = await loadModel(source, options.tokenizer ? { tokenizer: resolve(options.tokenizer) } : {});
  const { config, keepMask } = loaded.model;
  loaded.model.dispose();
  return insertModel(db, {
    name: options.name ?? basename(resolve(path)).replace(/\.bin$/i, ''),
    sourceKind: 'path',
    source,
    format: loaded.format,
    architecture: config.architecture,
    sha256,
    config: { ...config, tokenizer: loaded.tokenizerPath, keepMask },
    paramBytes: keptParameterBytes(config, keepMask),
  });
}
