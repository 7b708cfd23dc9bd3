/**
 * Reads a dataset file or folder into raw records. The format comes from the extension (or `format`); a folder is
 * searched (three levels deep) for data files, which are read in path order; label files (`.lst`) are attached
 * to their data file; the split a file belongs to is read from its folder or file name (`dev/x_dev.csv` → `dev`).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { InputFileError } from '../io/errors.ts';
import { parseCsv } from './read-csv.ts';
import { parseJsonFile, parseJsonl } from './read-json.ts';
import { attachLabels, labelFileCandidates } from './read-labels.ts';
import { parseParquet } from './read-parquet.ts';
import { decodeUtf8, parseText, type TextSplitMode } from './read-text.ts';
import { MAX_TEXT_FILE_BYTES, megabytes, type ImportLimits } from './limits.ts';
import type { RawRecord } from './types.ts';

/** File formats the readers understand. */
export type DatasetFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet' | 'text';

const EXTENSIONS: Record<string, DatasetFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.parquet': 'parquet',
  '.txt': 'text',
};

/** Options of the readers. */
export interface ReadOptions extends ImportLimits {
  /** Format of every data file, instead of guessing from the extension. */
  format?: DatasetFormat;
  /** CSV/TSV: whether the first row is a header (default `auto`). */
  csvHeader?: boolean | 'auto';
  /** CSV/TSV: delimiter instead of `,` (CSV) / tab (TSV). */
  delimiter?: string;
  /** Text files: how to cut them into records (default `auto`, see TextSplitMode). */
  textSplit?: TextSplitMode;
  /** A label file to align with a single data file (otherwise `<stem>-labels.lst` etc. are looked for). */
  labelsFile?: string;
}

/** What {@link readDatasetPath} read. */
export interface ReadResult {
  /** Data files read, in order (label files not included). */
  files: string[];
  /** Label files attached, in order. */
  labelFiles: string[];
  records: RawRecord[];
}

/** Format of a file from its extension, or null when unknown. */
export function formatOfPath(path: string): DatasetFormat | null {
  return EXTENSIONS[extname(path).toLowerCase()] ?? null;
}

const SPLIT_WORDS = new Set(['train', 'training', 'dev', 'val', 'valid', 'validation', 'test', 'testing', 'eval']);

/**
 * Split named by a file's path relative to the imported folder: the deepest folder whose name is a split word
 * (`train`, `dev`, `val`, `valid`, `validation`, `test`, …), else the last split word in the file name
 * (`econometrics_test.csv` → `test`), else undefined.
 */
export function splitNameOf(relPath: string): string | undefined {
  const parts = relPath.split(/[\\/]/);
  const dirs = parts.slice(0, -1).map((p) => p.toLowerCase());
  for (let i = dirs.length - 1; i >= 0; i--) if (SPLIT_WORDS.has(dirs[i])) return dirs[i];
  const stem = basename(parts[parts.length - 1], extname(parts[parts.length - 1])).toLowerCase();
  const words = stem.split(/[-_. ]+/).filter((w) => SPLIT_WORDS.has(w));
  return words.length > 0 ? words[words.length - 1] : undefined;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/**
 * Refuses a text-format file (not Parquet) over MAX_TEXT_FILE_BYTES.
 * @throws InputFileError naming the file, its size and the limit
 */
function refuseLargeTextFile(path: string, format: DatasetFormat, size: number): void {
  if (format !== 'parquet' && size > MAX_TEXT_FILE_BYTES) {
    throw new InputFileError(path, `is ${megabytes(size)}, over the ${megabytes(MAX_TEXT_FILE_BYTES)} a ${format} file may have; split it into several files of one folder`);
  }
}

/**
 * Parses the bytes of one data file held in memory into raw records (no label file).
 * @param bytes the file's content
 * @param path the name used in records and errors
 * @param format the file's format
 * @throws InputFileError when the bytes are empty or malformed (names the file)
 * @throws DatasetRecordError when a record is malformed (names the file and line/row)
 */
export async function parseDatasetBytes(bytes: Uint8Array, path: string, format: DatasetFormat, options: ReadOptions = {}): Promise<RawRecord[]> {
  if (bytes.length === 0) throw new InputFileError(path, 'the file is empty');
  const limits = { maxRows: options.maxRows, maxRecordBytes: options.maxRecordBytes };
  if (format === 'parquet') return parseParquet(bytes, path, limits);
  refuseLargeTextFile(path, format, bytes.length);
  if (format === 'csv' || format === 'tsv') {
    return parseCsv(bytes, path, { ...limits, delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : ','), header: options.csvHeader });
  }
  const text = decodeUtf8(bytes, path);
  if (format === 'jsonl') return parseJsonl(text, path, limits);
  if (format === 'json') return parseJsonFile(text, path, limits);
  return parseText(text, path, options.textSplit, limits);
}

/**
 * Reads one data file (and its label file, when one is found or given).
 * @throws InputFileError when the file cannot be read, its format is unknown or it is malformed
 * @throws DatasetRecordError when one of its records is malformed (names the line)
 */
export async function readDatasetFile(path: string, options: ReadOptions = {}): Promise<{ records: RawRecord[]; labelFile?: string }> {
  const format = options.format ?? formatOfPath(path);
  if (format === null) {
    throw new InputFileError(path, `unknown dataset format "${extname(path)}" (use .jsonl, .json, .csv, .tsv, .parquet or .txt)`);
  }
  const size = (await stat(path).catch(() => null))?.size ?? 0;
  refuseLargeTextFile(path, format, size);
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new InputFileError(path, `cannot read the file (${e.code ?? e.message})`);
  });
  const records = await parseDatasetBytes(bytes, path, format, options);
  let labelFile = options.labelsFile;
  if (labelFile === undefined && format !== 'text') {
    for (const c of labelFileCandidates(path)) if (await exists(c)) { labelFile = c; break; }
  }
  if (labelFile === undefined) return { records };
  const labelBytes = await readFile(labelFile).catch((e: NodeJS.ErrnoException) => {
    throw new InputFileError(labelFile, `cannot read the label file (${e.code ?? e.message})`);
  });
  return { records: attachLabels(records, decodeUtf8(labelBytes, labelFile), labelFile), labelFile };
}

/** Files in a dataset folder that are documentation or metadata, not records (README.txt, HF dataset_info.json, …). */
const NOT_DATA = /^(readme|licen[cs]e|notice|changelog|citation|copying)([._-].*)?$|^(dataset_infos?|dataset_dict|state)\.json$/i;

async function listFiles(dir: string, depth: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.') || (e.isFile() && NOT_DATA.test(e.name))) continue;
    const p = join(dir, e.name);
    if (e.isDirectory() && depth > 0) out.push(...(await listFiles(p, depth - 1)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Reads a dataset file, or every data file of a folder (hidden files, README/LICENSE files and Hugging Face
 * metadata such as `dataset_info.json` are left out). Each record gets the split its path names (see
 * {@link splitNameOf}; relative to the folder, or the file name for a single file).
 * @throws InputFileError when the path does not exist, a folder has no data file, or a file is malformed
 * @throws DatasetRecordError when a record is malformed (names file and line)
 */
export async function readDatasetPath(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  const info = await stat(path).catch(() => {
    throw new InputFileError(path, 'no such file or folder');
  });
  if (!info.isDirectory()) {
    const { records, labelFile } = await readDatasetFile(path, options);
    const split = splitNameOf(basename(path));
    return { files: [path], labelFiles: labelFile ? [labelFile] : [], records: records.map((r) => ({ ...r, sourceSplit: split })) };
  }
  const all = await listFiles(path, 3);
  const labelSet = new Set<string>();
  for (const f of all) {
    if (formatOfPath(f) === null || formatOfPath(f) === 'text') continue;
    const label = labelFileCandidates(f).find((c) => all.includes(c));
    if (label) labelSet.add(label);
  }
  const dataFiles = all.filter((f) => !labelSet.has(f) && (options.format !== undefined || formatOfPath(f) !== null));
  if (dataFiles.length === 0) {
    throw new InputFileError(path, 'the folder holds no dataset file (.jsonl, .json, .csv, .tsv, .parquet or .txt)');
  }
  const result: ReadResult = { files: dataFiles, labelFiles: [], records: [] };
  for (const f of dataFiles) {
    const { records, labelFile } = await readDatasetFile(f, { ...options, labelsFile: undefined });
    if (labelFile) result.labelFiles.push(labelFile);
    const split = splitNameOf(relative(path, f).split(sep).join('/'));
    for (const r of records) result.records.push({ ...r, sourceSplit: split });
  }
  return result;
}
