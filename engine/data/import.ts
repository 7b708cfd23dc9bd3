/**
 * Dataset import: read a file or folder, detect (or take) the task type and field mapping, normalise every record,
 * and split. An import either returns a complete result or throws; records that do not fit the mapping are
 * reported in `skipped` with file, line/row, field and reason.
 */
import { basename } from 'node:path';
import { DatasetMappingError, formatSkipped } from './errors.ts';
import { detectMapping } from './detect.ts';
import { asText, getField } from './fields.ts';
import { parseMappingOverride, type DatasetMapping, type MappingOverride } from './mapping.ts';
import { normaliseRecord } from './normalise.ts';
import { readDatasetPath, type ReadOptions, type ReadResult } from './read-path.ts';
import { assignSplits, type SplitInfo, type SplitOptions } from './split.ts';
import type { NormalisedRecord, RawRecord, SkippedRecord, TaskType } from './types.ts';

/** Options of {@link importDataset}. */
export interface ImportOptions extends ReadOptions {
  /** Task type to use instead of detecting it (same as `mapping.task`). */
  task?: TaskType;
  /**
   * A full or partial mapping (validated with zod); detection fills in what it leaves out. Its `task` may be left
   * out: `task` above is used, else the detected task.
   */
  mapping?: MappingOverride | MappingFields;
  /** How to split (default: the source's split when the layout gives one, else seeded 80/10/10). */
  split?: SplitOptions;
  /**
   * Largest fraction of records that may be skipped before the import fails as "the mapping does not fit"
   * (default 0.5). 0 fails on any skipped record.
   */
  maxSkippedFraction?: number;
}

/** Mapping fields without a task, e.g. `{question: 'goal', choices: ['sol1', 'sol2']}` (validated at import). */
export type MappingFields = Record<string, string | string[] | Record<string, string>>;

/** The result of an import. */
export interface ImportResult {
  taskType: TaskType;
  /** The mapping used (detected, or the user's merged with detection). */
  mapping: DatasetMapping;
  /** Detection notes: guesses worth checking (e.g. an ambiguous 0/1-based gold). */
  notes: string[];
  /** Normalised records in source order, each with its split. */
  records: NormalisedRecord[];
  /** Records left out, with file, line/row, field and reason (their count is `skipped.length`). */
  skipped: SkippedRecord[];
  splits: SplitInfo;
  /** Data files read and label files attached. */
  files: string[];
  labelFiles: string[];
  /** Number of raw records read (= records.length + skipped.length). */
  total: number;
}

/** Every field name a mapping uses (the top-level part of dotted paths). */
export function mappedFields(m: DatasetMapping): string[] {
  const out: (string | undefined)[] = [m.id];
  if (m.task === 'mcq') out.push(m.question, ...m.choices, m.answer);
  else if (m.task === 'yesno') out.push(m.question, m.context, m.answer);
  else if (m.task === 'instruction') out.push(m.instruction, m.input, m.output);
  else if (m.task === 'chat') out.push(m.messages, m.system);
  else out.push(m.text);
  return out.filter((f): f is string => f !== undefined);
}

function checkFieldsExist(m: DatasetMapping, records: readonly RawRecord[], path: string): void {
  const seen = new Set(records.flatMap((r) => Object.keys(r.fields)));
  for (const f of mappedFields(m)) {
    if (!records.some((r) => getField(r.fields, f) !== undefined)) {
      throw new DatasetMappingError(`${path}: the mapping names field "${f}", which no record has (fields: ${[...seen].slice(0, 20).join(', ')})`);
    }
  }
}

function hintOf(options: ImportOptions, records: readonly RawRecord[], path: string): MappingOverride | undefined {
  if (options.mapping === undefined) return options.task === undefined ? undefined : { task: options.task };
  if (typeof options.mapping !== 'object' || options.mapping === null || Array.isArray(options.mapping)) {
    throw new DatasetMappingError('invalid dataset mapping: expected an object of field names');
  }
  const given = options.mapping as Record<string, unknown>;
  if (options.task !== undefined && given.task !== undefined && options.task !== given.task) {
    throw new DatasetMappingError(`task "${options.task}" contradicts the mapping's task "${String(given.task)}"`);
  }
  const task = given.task ?? options.task ?? detectMapping(records, path).taskType;
  return parseMappingOverride({ ...given, task });
}

function uniqueIds(ids: string[]): string[] {
  const used = new Map<string, number>();
  return ids.map((id) => {
    const n = (used.get(id) ?? 0) + 1;
    used.set(id, n);
    return n === 1 ? id : `${id}#${n}`;
  });
}

/**
 * Imports a dataset file or folder (see readDatasetPath for formats and layouts).
 * Record ids: the mapped `id` field, else the JSON key, else `<file name>:<row>`; a repeated id gets `#2`, `#3`, ….
 * @param path file or folder
 * @throws InputFileError / DatasetRecordError when a file is missing, empty or malformed (names file and line)
 * @throws DatasetMappingError when the mapping is invalid, names a field no record has, no task fits, or more than
 *   `maxSkippedFraction` of the records (or all of them) do not fit it; the message lists the first problems
 */
export async function importDataset(path: string, options: ImportOptions = {}): Promise<ImportResult> {
  return importRead(await readDatasetPath(path, options), path, options);
}

/**
 * The steps of importDataset after reading: detection (or the given mapping), normalisation, ids and splits.
 * @param read what readDatasetPath (or parseDatasetBytes, wrapped) returned
 * @param path the file or folder, named in errors
 * @throws DatasetMappingError as importDataset
 */
export function importRead(read: ReadResult, path: string, options: ImportOptions = {}): ImportResult {
  const readable = read.records.filter((r) => r.unreadable === undefined);
  const skipped: SkippedRecord[] = read.records.flatMap((r) =>
    r.unreadable === undefined ? [] : [{ file: r.loc.file, line: r.loc.line, row: r.loc.row, field: '', reason: r.unreadable }]);
  const unreadable = skipped.length;
  if (readable.length === 0) {
    throw new DatasetMappingError(`${path}: no record could be read; first problems: ${skipped.slice(0, 3).map(formatSkipped).join('; ')}`);
  }
  const proposal = detectMapping(readable, path, hintOf(options, readable, path));
  const { mapping } = proposal;
  checkFieldsExist(mapping, readable, path);
  const kept: { raw: RawRecord; body: NormalisedRecord }[] = [];
  for (const raw of readable) {
    const r = normaliseRecord(raw, mapping);
    if (r.ok) kept.push({ raw, body: r.body as NormalisedRecord });
    else skipped.push({ file: raw.loc.file, line: raw.loc.line, row: raw.loc.row, field: r.field, reason: r.reason });
  }
  const total = read.records.length;
  const maxFraction = options.maxSkippedFraction ?? 0.5;
  // Unreadable records say nothing about the mapping: the fraction is of the records that could be read.
  if (kept.length === 0 || skipped.length - unreadable > maxFraction * readable.length) {
    const first = skipped.slice(unreadable, unreadable + 3).map(formatSkipped).join('; ');
    throw new DatasetMappingError(
      `${path}: ${skipped.length - unreadable} of ${readable.length} records do not fit the ${mapping.task} mapping ${JSON.stringify(mapping)}; first problems: ${first}`,
    );
  }
  skipped.sort((a, b) => (a.file === b.file ? a.row - b.row : read.files.indexOf(a.file) - read.files.indexOf(b.file)));
  const ids = uniqueIds(
    kept.map(({ raw }) => {
      const own = mapping.id !== undefined ? asText(getField(raw.fields, mapping.id)) : undefined;
      return own ?? raw.loc.key ?? `${basename(raw.loc.file)}:${raw.loc.row}`;
    }),
  );
  const { splits, info } = assignSplits(kept.map(({ raw }) => raw.sourceSplit), options.split);
  const records = kept.map(({ raw, body }, i) => ({
    ...body,
    id: ids[i],
    source: raw.loc,
    split: splits[i],
    ...(raw.sourceSplit !== undefined ? { sourceSplit: raw.sourceSplit } : {}),
  })) as NormalisedRecord[];
  return {
    taskType: proposal.taskType,
    mapping,
    notes: proposal.notes,
    records,
    skipped,
    splits: info,
    files: read.files,
    labelFiles: read.labelFiles,
    total,
  };
}
