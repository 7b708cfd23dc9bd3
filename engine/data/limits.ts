/**
 * Size limits of dataset import. Readers hold a file's records in memory, so a file is refused, with a message
 * naming it, the record and the limit, before it could exhaust memory or freeze the app: a record (a JSON Lines
 * line, a CSV row, a JSON array element) over `maxRecordBytes`, more than `maxRows` records, or a text file over
 * MAX_TEXT_FILE_BYTES. `trimllm import-data --max-rows N --max-record-mb M` raises the first two.
 */

/** Largest record by default: 16 MB (decimal, as messages print it; a long document; 50 MB of one record is refused). */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1000 * 1000;
/** Most records by default: 1,000,000 (alpaca has 52,000; MMLU 15,908). */
export const DEFAULT_MAX_ROWS = 1_000_000;
/**
 * Largest JSON Lines / JSON / CSV / text file: 512 MB. A JavaScript string holds at most 2^29 − 24 characters, so a
 * larger text file cannot be decoded at all; split it into several files of a folder.
 */
export const MAX_TEXT_FILE_BYTES = 512 * 1000 * 1000;

/** Limits of one import; absent fields take the defaults above. */
export interface ImportLimits {
  /** Most records per file. */
  maxRows?: number;
  /** Largest record, in bytes (UTF-8) or characters for decoded text (never fewer than the bytes' characters). */
  maxRecordBytes?: number;
}

/** The limits with defaults filled in. */
export function limitsOf(limits: ImportLimits = {}): Required<ImportLimits> {
  return { maxRows: limits.maxRows ?? DEFAULT_MAX_ROWS, maxRecordBytes: limits.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES };
}

/** `16 MB`-style size for messages. */
export function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1e6) * 10) / 10} MB`;
}

/** The sentence every row-limit error ends with. */
export const RAISE_ROWS = 'split the file, or raise the limit: trimllm import-data --max-rows N';
/** The sentence every record-size error ends with. */
export const RAISE_RECORD = 'shorten the record, or raise the limit: trimllm import-data --max-record-mb N';

/** The problem of a record over the size limit: `the record is 50 MB, over the limit of 16 MB; raise …`. */
export function recordTooLarge(size: number, maxRecordBytes: number): string {
  return `the record is ${megabytes(size)}, over the limit of ${megabytes(maxRecordBytes)}; ${RAISE_RECORD}`;
}

/** The problem of a record beyond the row limit: `more than 1000000 records, the limit; raise …`. */
export function tooManyRecords(maxRows: number): string {
  return `more than ${maxRows} records, the limit; ${RAISE_ROWS}`;
}
