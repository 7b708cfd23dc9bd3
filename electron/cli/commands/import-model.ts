/**
 * `trimllm import-model PATH`: register a model (llama2.c .bin, a folder holding one, or a Hugging Face folder)
 * in the workspace.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { loadModel } from '../../../engine/io/load-model.ts';
import { resolveModelPath } from '../../../engine/io/model-path.ts';
import { selectBackend } from '../../../engine/backend/select.ts';
import { keptParameterBytes } from '../../../engine/model/params.ts';
import { findModelsBySha256, insertModel, closeDatabase, type Database } from '../../store/index.ts';
import { parse, UsageError } from '../args.ts';
import { openWorkspace } from '../workspace.ts';

/** Help text of the command. */
export const help = `trimllm import-model PATH [--tokenizer T] [--name NAME] [--data-dir DIR]
  Validates the model (loads it once), computes its sha256 and records it in the workspace database.`;

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
  db: Database, path: string, options: { tokenizer?: string; name?: string; reuse?: boolean } = {},
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
      console.error(`using model ${same.id} (already imported from ${source})`);
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

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    tokenizer: { type: 'string' }, name: { type: 'string' }, 'data-dir': { type: 'string' },
  });
  const path = positionals[0];
  if (!path) throw new UsageError('missing PATH of the model');
  await selectBackend();
  const db = openWorkspace(values['data-dir']);
  try {
    const id = await registerModel(db, path, { ...(values.tokenizer ? { tokenizer: values.tokenizer } : {}), ...(values.name ? { name: values.name } : {}) });
    console.log(`model ${id}: ${resolve(path)}`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}
