/** `trimllm import-model PATH`: register a model (llama2.c .bin or Hugging Face folder) in the workspace. */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadModel } from '../../../engine/io/load-model.ts';
import { selectBackend } from '../../../engine/backend/select.ts';
import { keptParameterBytes } from '../../../engine/model/params.ts';
import { insertModel, closeDatabase, type Database } from '../../store/index.ts';
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
 * Loads a model once (validating it) and records it in the workspace.
 * @returns the new model id
 */
export async function registerModel(db: Database, path: string, options: { tokenizer?: string; name?: string } = {}): Promise<number> {
  const loaded = await loadModel(resolve(path), options.tokenizer ? { tokenizer: resolve(options.tokenizer) } : {});
  const { config, keepMask } = loaded.model;
  loaded.model.dispose();
  const weightsFile = loaded.format === 'llama2c' ? resolve(path) : join(resolve(path), 'config.json');
  return insertModel(db, {
    name: options.name ?? basename(resolve(path)),
    sourceKind: 'path',
    source: resolve(path),
    format: loaded.format,
    architecture: config.architecture,
    sha256: statSync(weightsFile).isFile() ? await sha256File(weightsFile) : null,
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
