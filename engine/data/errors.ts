/**
 * Errors of dataset import. Every message names the file and, where it applies, the line/row and field, so the
 * CLI and the UI can show it as is.
 */
import { InputFileError } from '../io/errors.ts';
import { describeLocation, type RecordLocation, type SkippedRecord } from './types.ts';

/**
 * A problem with one record of a dataset file (unparseable line, wrong column count, …). The message reads
 * `<file>: line 12, field "cop": <problem>`.
 */
export class DatasetRecordError extends InputFileError {
  override readonly name = 'DatasetRecordError';
  /** 1-based line of the record, when the format has lines. */
  readonly line: number | undefined;
  /** 1-based record/row number. */
  readonly row: number;
  /**
   * @param loc where the record is (file, row, line)
   * @param field the offending field, or null when the whole record is at fault
   * @param problem what is wrong
   */
  constructor(
    loc: RecordLocation,
    readonly field: string | null,
    problem: string,
  ) {
    super(loc.file, `${describeLocation(loc)}${field === null ? '' : `, field "${field}"`}: ${problem}`);
    this.line = loc.line;
    this.row = loc.row;
  }
}

/** A dataset too small for a run: a split it needs has no usable example (the message names the split). */
export class DatasetSplitError extends Error {
  override readonly name = 'DatasetSplitError';
}

/** A mapping (task type + field mapping) that is invalid or cannot be applied to a dataset. */
export class DatasetMappingError extends Error {
  override readonly name = 'DatasetMappingError';
}

/** One line describing a skipped record, e.g. `data.jsonl: line 3, field "cop": answer 5 is out of range 1–4`. */
export function formatSkipped(s: SkippedRecord): string {
  return `${s.file}: ${describeLocation(s)}${s.field === '' ? '' : `, field "${s.field}"`}: ${s.reason}`;
}
