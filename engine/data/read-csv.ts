/**
 * CSV/TSV reader (csv-parse): RFC-4180 quoting with embedded newlines, BOM, CRLF; with or without a header row.
 * Headerless files name their columns `col1`, `col2`, … (1-based, as spreadsheets count).
 */
import { parse, CsvError } from 'csv-parse/sync';
import { InputFileError } from '../io/errors.ts';
import { refuseAllUnreadable } from './read-json.ts';
import { limitsOf, megabytes, RAISE_RECORD, RAISE_ROWS, type ImportLimits } from './limits.ts';
import type { RawRecord } from './types.ts';

/** Options of {@link parseCsv}. */
export interface CsvOptions extends ImportLimits {
  /** Field delimiter; default `,` (use `\t` for TSV). */
  delimiter?: string;
  /** Whether the first row is a header; `auto` (default) guesses from the first row (see {@link looksLikeHeader}). */
  header?: boolean | 'auto';
}

const HEADER_CELL = /^[\p{L}_][\p{L}\p{N}_ .\-]{0,63}$/u;

/**
 * Guess: the first row is a header when every cell is a short, distinct, identifier-like name (a letter or `_`
 * first, then letters, digits, space, `_`, `.`, `-`), as in `label,text` but not `"In a population…",A,B,C,D,A`
 * (long cells, punctuation, repeated values).
 */
export function looksLikeHeader(row: readonly string[]): boolean {
  const cells = row.map((c) => c.trim());
  return cells.every((c) => HEADER_CELL.test(c)) && new Set(cells).size === cells.length;
}

/** Byte offset → 1-based line, for a UTF-8 buffer. */
function byteLines(bytes: Uint8Array): (offset: number) => number {
  const starts: number[] = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

interface ParsedRow {
  cells: string[];
  line: number;
}

function parseRows(bytes: Uint8Array, file: string, delimiter: string, limits: Required<ImportLimits>): ParsedRow[] {
  let parsed: { record: string[]; info: { bytes: number } }[];
  try {
    parsed = parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: limits.maxRecordBytes,
      to: limits.maxRows + 2, // header + maxRows + one more, which is refused below
    }) as unknown as { record: string[]; info: { bytes: number } }[];
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      if (e.code === 'CSV_MAX_RECORD_SIZE') {
        throw new InputFileError(file, `${line ? `line ${line}: ` : ''}a record is over the limit of ${megabytes(limits.maxRecordBytes)}; ${RAISE_RECORD}`);
      }
      throw new InputFileError(file, `${line ? `line ${line}: ` : ''}malformed ${delimiter === '\t' ? 'TSV' : 'CSV'} (${e.message})`);
    }
    throw e;
  }
  const lineOf = byteLines(bytes);
  const rows: ParsedRow[] = [];
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (const { record, info } of parsed) {
    while (start < bytes.length && (bytes[start] === 0x0a || bytes[start] === 0x0d)) start++;
    if (!record.every((c) => c.trim() === '')) rows.push({ cells: record, line: lineOf(start) });
    start = info.bytes;
  }
  return rows;
}

/**
 * Parses CSV or TSV bytes into records. With a header, fields are named by it (an empty header cell becomes
 * `colN`); without, `col1`…`colN`. Rows whose cells are all blank are ignored.
 * @throws InputFileError when the file is empty, the quoting is malformed (names the line) or the header repeats a name
 * A row with a different number of columns than the first row becomes a record marked `unreadable` (skipped and
 * listed by the import); when no row can be read the file is refused (InputFileError).
 */
export function parseCsv(bytes: Uint8Array, file: string, options: CsvOptions = {}): RawRecord[] {
  const delimiter = options.delimiter ?? ',';
  const limits = limitsOf(options);
  const rows = parseRows(bytes, file, delimiter, limits);
  if (rows.length === 0) throw new InputFileError(file, 'the file is empty: no rows');
  const header = options.header === undefined || options.header === 'auto' ? looksLikeHeader(rows[0].cells) : options.header;
  if (rows.length - (header ? 1 : 0) > limits.maxRows) {
    throw new InputFileError(file, `line ${rows[rows.length - 1].line}: more than ${limits.maxRows} rows, the limit; ${RAISE_ROWS}`);
  }
  const width = rows[0].cells.length;
  const names = header ? rows[0].cells.map((c, i) => c.trim() || `col${i + 1}`) : rows[0].cells.map((_, i) => `col${i + 1}`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new InputFileError(file, `line ${rows[0].line}: the header names column "${dup}" twice`);
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) throw new InputFileError(file, 'the file has a header but no data rows');
  return refuseAllUnreadable(data.map(({ cells, line }, i): RawRecord => {
    const loc = { file, row: i + 1, line };
    if (cells.length !== width) {
      return { fields: {}, loc, unreadable: `expected ${width} columns (as in ${header ? 'the header' : 'the first row'}), found ${cells.length}` };
    }
    const fields: Record<string, unknown> = {};
    names.forEach((n, j) => {
      fields[n] = cells[j];
    });
    return { fields, loc };
  }), file);
}
