/**
 * Separate label files (the PIQA pattern): `valid.jsonl` holds the records, `valid-labels.lst` one label per line,
 * aligned line by line with the records.
 */
import { basename, dirname, extname, join } from 'node:path';
import { InputFileError } from '../io/errors.ts';
import type { RawRecord } from './types.ts';

/** Field name under which a label from a label file is added to each record (`label_lst` if `label` is taken). */
export const LABEL_FIELD = 'label';

/**
 * Candidate label-file names for a data file, in order of preference: `<stem>-labels.lst`, `<stem>_labels.lst`,
 * `<stem>.lst`, `<stem>-labels.txt`.
 */
export function labelFileCandidates(dataFile: string): string[] {
  const stem = basename(dataFile, extname(dataFile));
  const dir = dirname(dataFile);
  return [`${stem}-labels.lst`, `${stem}_labels.lst`, `${stem}.lst`, `${stem}-labels.txt`].map((n) => join(dir, n));
}

/**
 * Adds the labels of a label file to records, in order: the n-th non-blank line labels the n-th record. A label
 * that is an integer becomes a number, anything else stays a string. The field is {@link LABEL_FIELD}, or
 * `label_lst` when the records already have a `label`.
 * @param text label file contents (BOM removed); CRLF is fine; trailing blank lines are ignored
 * @returns new records; the inputs are not modified
 * @throws InputFileError when a line in the middle is blank or the number of labels differs from the number of records
 */
export function attachLabels(records: readonly RawRecord[], text: string, labelsFile: string): RawRecord[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const blank = lines.indexOf('');
  if (blank !== -1) throw new InputFileError(labelsFile, `line ${blank + 1}: blank label line (expected one label per line)`);
  if (lines.length !== records.length) {
    throw new InputFileError(
      labelsFile,
      `has ${lines.length} labels but ${records[0]?.loc.file ?? 'the data file'} has ${records.length} records; they must align line by line`,
    );
  }
  const field = records.some((r) => LABEL_FIELD in r.fields) ? `${LABEL_FIELD}_lst` : LABEL_FIELD;
  return records.map((r, i) => ({ ...r, fields: { ...r.fields, [field]: /^-?\d+$/.test(lines[i]) ? Number(lines[i]) : lines[i] } }));
}
