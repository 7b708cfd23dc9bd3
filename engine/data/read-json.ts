/**
 * JSON Lines and JSON readers. A `.json` file may hold a JSON array of records, an object keyed by id (PubMedQA:
 * each value becomes a record, the key its `id`), an object wrapping one array of records (`{"data": [...]}`),
 * or JSON Lines despite its extension (MedMCQA). Integers beyond 2^53 − 1 keep their source digits (json-exact.ts).
 */
import { InputFileError } from '../io/errors.ts';
import { DatasetRecordError } from './errors.ts';
import { jsonErrorPosition, LineIndex, stringAt, topLevelOffsets } from './json-offsets.ts';
import { limitsOf, RAISE_ROWS, recordTooLarge, tooManyRecords, type ImportLimits } from './limits.ts';
import type { RawRecord } from './types.ts';
import { parseJsonExact } from './json-exact.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses JSON Lines: one JSON object per line; blank lines are ignored; CRLF and a missing final newline are fine.
 * @param text file contents (BOM already removed)
 * @param file path used in records and messages
 * @param limits most records and largest record (see limits.ts)
 * A line that is not JSON or not a JSON object becomes a record marked `unreadable` (skipped and listed by the
 * import).
 * @throws DatasetRecordError naming the line when a line is over the record size limit, or is a record beyond the
 *   row limit
 * @throws InputFileError when the file holds no record, or no line could be read
 */
export function parseJsonl(text: string, file: string, limits: ImportLimits = {}): RawRecord[] {
  const { maxRows, maxRecordBytes } = limitsOf(limits);
  const out: RawRecord[] = [];
  for (let start = 0, i = 0; start < text.length || i === 0; i++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    const loc = { file, row: out.length + 1, line: i + 1 };
    if (raw.length > maxRecordBytes) {
      throw new DatasetRecordError(loc, null, recordTooLarge(raw.length, maxRecordBytes));
    }
    const line = raw.trim();
    if (line === '') continue;
    if (out.length === maxRows) throw new DatasetRecordError(loc, null, tooManyRecords(maxRows));
    let value: unknown;
    try {
      value = parseJsonExact(line);
    } catch (e) {
      out.push({ fields: {}, loc, unreadable: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    out.push(isPlainObject(value) ? { fields: value, loc } : { fields: {}, loc, unreadable: `expected a JSON object per line, found ${describe(value)}` });
  }
  if (out.length === 0) throw new InputFileError(file, 'the file is empty: no JSON Lines record found');
  return refuseAllUnreadable(out, file);
}

/**
 * The records when at least one could be read.
 * @throws InputFileError naming the first problem when none could: the file as a whole is not what it claims
 */
export function refuseAllUnreadable(records: RawRecord[], file: string): RawRecord[] {
  const first = records[0];
  if (records.every((r) => r.unreadable !== undefined) && first) {
    const where = first.loc.line !== undefined ? `line ${first.loc.line}` : `row ${first.loc.row}`;
    throw new InputFileError(file, `no record could be read (${where}: ${first.unreadable})`);
  }
  return records;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : `a ${typeof v}`;
}

/** True when the text looks like JSON Lines: its first non-blank line is a complete JSON object on its own. */
export function looksLikeJsonl(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined || !first.trim().startsWith('{')) return false;
  try {
    return isPlainObject(JSON.parse(first));
  } catch {
    return false;
  }
}

/**
 * Parses a `.json` file: a JSON document (see the module comment) or, when the whole text is not one JSON value
 * but its first line is a JSON object, JSON Lines.
 * @throws InputFileError naming line and column when the text is not JSON, or when the document holds no records
 * (A record that is not a JSON object, or a JSON Lines line that is not JSON, is marked `unreadable`.)
 */
export function parseJsonFile(text: string, file: string, limits: ImportLimits = {}): RawRecord[] {
  if (text.trim() === '') throw new InputFileError(file, 'the file is empty');
  let doc: unknown;
  try {
    doc = parseJsonExact(text);
  } catch (e) {
    if (looksLikeJsonl(text)) return parseJsonl(text, file, limits);
    const msg = (e as Error).message;
    const pos = jsonErrorPosition(msg, text);
    const where = pos ? `line ${pos.line}, column ${pos.column}: ` : '';
    throw new InputFileError(file, `${where}not valid JSON (${msg})`);
  }
  // Scanned once for both the records' lines and the size check (each scan reads the whole text, up to 512 MB).
  const layout: DocumentLayout = { offsets: topLevelOffsets(text), lines: new LineIndex(text) };
  const records = recordsOfDocument(doc, text, file, layout);
  checkJsonRecordSizes(records.length, text, file, limitsOf(limits), layout);
  return records;
}

/** Where the top-level elements of a JSON document start (topLevelOffsets) and the text's line index. */
interface DocumentLayout {
  offsets: number[];
  lines: LineIndex;
}

/** Refuses a JSON document with more than maxRows records or a top-level element over maxRecordBytes. */
function checkJsonRecordSizes(count: number, text: string, file: string, limits: Required<ImportLimits>, { offsets, lines }: DocumentLayout): void {
  if (count > limits.maxRows) throw new InputFileError(file, `holds ${count} records, more than the limit of ${limits.maxRows}; ${RAISE_ROWS}`);
  for (let i = 0; i < offsets.length; i++) {
    const size = (offsets[i + 1] ?? text.length) - offsets[i];
    if (size > limits.maxRecordBytes) {
      const loc = { file, row: i + 1, line: lines.lineOf(offsets[i]) };
      throw new DatasetRecordError(loc, null, recordTooLarge(size, limits.maxRecordBytes));
    }
  }
}

function recordsOfDocument(doc: unknown, text: string, file: string, { offsets, lines }: DocumentLayout): RawRecord[] {
  const lineAt = (i: number): number | undefined => (offsets[i] === undefined ? undefined : lines.lineOf(offsets[i]));
  if (Array.isArray(doc)) return arrayRecords(doc, file, lineAt);
  if (!isPlainObject(doc)) throw new InputFileError(file, `expected a JSON array or object of records, found ${describe(doc)}`);
  const entries = Object.entries(doc);
  if (entries.length === 0) throw new InputFileError(file, 'the JSON object is empty: no records');
  if (entries.every(([, v]) => isPlainObject(v))) {
    // Source order of the keys (JSON.parse puts integer-like keys first, ascending) and their lines.
    const ordered = offsets.map((o, i) => ({ key: stringAt(text, o), line: lines.lineOf(offsets[i]) }));
    const seenKeys = new Set<string>();
    const unique = ordered.filter(({ key }) => !seenKeys.has(key) && seenKeys.add(key) && Object.hasOwn(doc, key));
    const keyed = unique.length === entries.length ? unique : entries.map(([key]) => ({ key, line: undefined }));
    return keyed.map(({ key, line }, i) => {
      const fields = doc[key] as Record<string, unknown>;
      const loc = { file, row: i + 1, line, key };
      return { fields: 'id' in fields ? fields : { id: key, ...fields }, loc };
    });
  }
  const arrays = entries.filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every(isPlainObject));
  if (arrays.length === 1) return arrayRecords(arrays[0][1] as unknown[], file, () => undefined);
  throw new InputFileError(
    file,
    'cannot find the records in this JSON object: expected every value to be a record (an object keyed by id) ' +
      `or exactly one array of records; top-level keys: ${entries.slice(0, 10).map(([k]) => k).join(', ')}`,
  );
}

function arrayRecords(items: unknown[], file: string, lineAt: (i: number) => number | undefined): RawRecord[] {
  if (items.length === 0) throw new InputFileError(file, 'the JSON array is empty: no records');
  return refuseAllUnreadable(items.map((value, i) => {
    const loc = { file, row: i + 1, line: lineAt(i) };
    if (!isPlainObject(value)) return { fields: {}, loc, unreadable: `expected each array element to be a JSON object, found ${describe(value)}` };
    return { fields: value, loc };
  }), file);
}
