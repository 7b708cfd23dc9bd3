/**
 * Hugging Face checkpoints as a folder: one `model.safetensors`, or shards listed by
 * `model.safetensors.index.json` (`{"metadata": {"total_size": …}, "weight_map": {tensorName: shardFile}}`, as
 * written by transformers' `save_pretrained`). The index is untrusted: shard names must stay inside the folder
 * (no `..`, absolute paths or drive letters), every shard must exist, and every tensor it maps must be in its shard.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InputFileError } from './errors.ts';
import { assertNotPickle } from './pickle-guard.ts';
import {
  readSafetensors, readTensor, readTensorBytes,
  type FloatTensor, type SafetensorsFile, type SafetensorsTensorInfo,
} from './safetensors.ts';

/** File name of a sharded checkpoint's index. */
export const SHARDED_INDEX_FILE = 'model.safetensors.index.json';
/** File name of a single-file checkpoint. */
export const SINGLE_FILE = 'model.safetensors';

/** A validated `model.safetensors.index.json`. */
export interface ShardedIndex {
  /** Path of the index file. */
  path: string;
  /** Its `metadata` object (e.g. `{total_size: 269060352}`), empty when absent. */
  metadata: Record<string, unknown>;
  /** Tensor name → shard file path (the folder joined with the shard name). */
  weightMap: ReadonlyMap<string, string>;
  /** The distinct shard file paths, sorted. */
  shards: string[];
}

/** A folder's checkpoint (single or sharded), giving tensors by name across files. */
export interface SafetensorsCheckpoint {
  /** The folder (or, for a lone file, its folder). */
  dir: string;
  /** Parsed headers of every file, in shard order. */
  files: SafetensorsFile[];
  /** Every tensor name, in file then header order. */
  names(): string[];
  /** Whether a tensor exists. */
  has(name: string): boolean;
  /** Where a tensor lies. @throws InputFileError naming the checkpoint and the missing tensor */
  info(name: string): SafetensorsTensorInfo & { file: SafetensorsFile };
  /** A float tensor as float32 (see readTensor). @throws InputFileError when missing or not a float dtype */
  read(name: string): FloatTensor;
  /** A tensor's raw little-endian bytes, any dtype. @throws InputFileError when missing */
  readBytes(name: string): Uint8Array;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks that a shard name from an index is a relative path that stays inside `dir`; returns the joined path. */
function shardPath(indexPath: string, dir: string, shard: string, tensor: string): string {
  const segments = shard.split('/');
  const unsafe =
    shard === '' || shard.includes('\0') || shard.includes('\\') || shard.includes(':') || isAbsolute(shard) ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  const full = resolve(dir, shard);
  const rel = relative(resolve(dir), full);
  if (unsafe || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputFileError(indexPath, `weight_map entry for tensor "${tensor}" names shard ${JSON.stringify(shard)}, which is not a file inside the folder`);
  }
  return join(dir, shard);
}

/**
 * Reads and validates `<dir>/model.safetensors.index.json`: a JSON object with a `weight_map` of tensor name →
 * shard file name; each shard stays inside `dir` and exists as a file. Shard headers are not read here.
 * @throws InputFileError naming the index file and the problem (missing, not JSON, bad entry, escaping or
 *   missing shard)
 */
export function readShardedIndex(dir: string): ShardedIndex {
  const path = join(dir, SHARDED_INDEX_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputFileError(path, `cannot read the shard index: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputFileError(path, `shard index is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(json)) throw new InputFileError(path, 'shard index must be a JSON object');
  if (json.metadata !== undefined && json.metadata !== null && !isPlainObject(json.metadata)) {
    throw new InputFileError(path, '"metadata" must be an object');
  }
  if (!isPlainObject(json.weight_map)) throw new InputFileError(path, '"weight_map" is missing or not an object');
  const weightMap = new Map<string, string>();
  const checked = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(json.weight_map)) {
    if (typeof shard !== 'string') throw new InputFileError(path, `weight_map entry for tensor "${tensor}" must be a file name, got ${JSON.stringify(shard)}`);
    let full = checked.get(shard);
    if (full === undefined) {
      full = shardPath(path, dir, shard, tensor);
      let isFile = false;
      try {
        isFile = statSync(full).isFile();
      } catch { /* missing: reported below */ }
      if (!isFile) throw new InputFileError(path, `weight_map names shard "${shard}" (for tensor "${tensor}"), which does not exist in ${dir}`);
      checked.set(shard, full);
    }
    weightMap.set(tensor, full);
  }
  if (weightMap.size === 0) throw new InputFileError(path, '"weight_map" lists no tensors');
  return { path, metadata: { ...(json.metadata as Record<string, unknown> | undefined) }, weightMap, shards: [...checked.values()].sort() };
}

function makeCheckpoint(dir: string, files: SafetensorsFile[], where: Map<string, SafetensorsFile>): SafetensorsCheckpoint {
  const info = (name: string) => {
    const file = where.get(name);
    if (!file) throw new InputFileError(dir, `checkpoint has no tensor "${name}"`);
    return { ...file.tensors.get(name)!, file };
  };
  return {
    dir, files,
    names: () => [...where.keys()],
    has: (name) => where.has(name),
    info,
    read: (name) => readTensor(info(name).file, name),
    readBytes: (name) => readTensorBytes(info(name).file, name),
  };
}

/**
 * Opens a checkpoint: a folder with `model.safetensors.index.json` (sharded) or `model.safetensors`, or a path to
 * a `.safetensors` file or to an index file. Reads every header (not the tensor data).
 * @throws InputFileError when there is no checkpoint (a PyTorch pickle in its place is named as such), a header
 *   or the index is invalid, or the index maps a tensor to a shard that lacks it
 */
export function openSafetensorsCheckpoint(pathOrDir: string): SafetensorsCheckpoint {
  let isDir: boolean;
  try {
    isDir = statSync(pathOrDir).isDirectory();
  } catch (e) {
    throw new InputFileError(pathOrDir, `cannot open checkpoint: ${(e as Error).message}`);
  }
  const dir = isDir ? pathOrDir : dirname(pathOrDir);
  const where = new Map<string, SafetensorsFile>();
  const single = (file: string) => {
    const parsed = readSafetensors(file);
    for (const name of parsed.tensors.keys()) where.set(name, parsed);
    return makeCheckpoint(dir, [parsed], where);
  };
  if (!isDir && basename(pathOrDir) !== SHARDED_INDEX_FILE) {
    assertNotPickle(pathOrDir);
    return single(pathOrDir);
  }
  if (existsSync(join(dir, SHARDED_INDEX_FILE))) {
    const index = readShardedIndex(dir);
    const files = index.shards.map((shard) => readSafetensors(shard));
    const byPath = new Map(index.shards.map((shard, i) => [shard, files[i]]));
    for (const [name, shard] of index.weightMap) {
      const file = byPath.get(shard)!;
      if (!file.tensors.has(name)) throw new InputFileError(index.path, `weight_map puts tensor "${name}" in ${shard}, which has no such tensor`);
      where.set(name, file);
    }
    return makeCheckpoint(dir, files, where);
  }
  if (existsSync(join(dir, SINGLE_FILE))) return single(join(dir, SINGLE_FILE));
  const candidates = readdirSync(dir).filter((f) => /\.(bin|pt|pth)$/i.test(f)).sort();
  for (const f of candidates) assertNotPickle(join(dir, f));
  throw new InputFileError(dir, `no ${SINGLE_FILE} or ${SHARDED_INDEX_FILE} in this folder`);
}
