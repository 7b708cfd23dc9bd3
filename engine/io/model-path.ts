/**
 * Where the model is inside a path the user picked: a Hugging Face folder (config.json), a llama2.c `.bin`
 * file, or a folder holding exactly one llama2.c checkpoint (e.g. stories260K/ with stories260K.bin and its
 * tokenizer tok512.bin). Tokenizer files and other `.bin` files are told apart by the checkpoint header.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputFileError } from './errors.ts';
import { looksLikeLlama2cHeader } from './llama2c.ts';

/** Whether a file starts with a plausible llama2.c version-0 header (reads its first 28 bytes only). */
export function isLlama2cCheckpointFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(28);
    const n = readSync(fd, head, 0, 28, 0);
    return n === 28 && looksLikeLlama2cHeader(new Int32Array(head.buffer, head.byteOffset, 7), statSync(path).size);
  } finally {
    closeSync(fd);
  }
}

/**
 * The file or folder to load for `path`: the path itself for a file or a folder with config.json, else the
 * single llama2.c checkpoint in the folder.
 * @throws InputFileError naming the folder when it holds no model, or several checkpoints (listed by name)
 */
export function resolveModelPath(path: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory() || existsSync(join(path, 'config.json'))) return path;
  const bins = readdirSync(path).filter((f) => f.toLowerCase().endsWith('.bin')).sort();
  const checkpoints = bins.filter((f) => statSync(join(path, f)).isFile() && isLlama2cCheckpointFile(join(path, f)));
  if (checkpoints.length === 1) return join(path, checkpoints[0]!);
  if (checkpoints.length > 1) {
    throw new InputFileError(path, `this folder holds ${checkpoints.length} model files (${checkpoints.join(', ')}); choose one of them`);
  }
  throw new InputFileError(path, 'no model found in this folder: it needs a Hugging Face config.json or a llama2.c .bin model file');
}
