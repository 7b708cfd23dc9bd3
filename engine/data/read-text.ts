/**
 * UTF-8 decoding and the plain-text reader. A `.txt` file becomes `{text}` records: documents separated by blank
 * lines (a lone heading block is joined to the document after it), or one record per line, or the whole file.
 */
import { InputFileError } from '../io/errors.ts';
import { limitsOf, recordTooLarge, tooManyRecords, type ImportLimits } from './limits.ts';
import type { RawRecord } from './types.ts';

/**
 * Decodes UTF-8 bytes, dropping a leading BOM.
 * @throws InputFileError when the bytes are not valid UTF-8
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputFileError(file, 'not valid UTF-8 text (save the file as UTF-8)');
  }
}

/**
 * How a text file is cut into records:
 * - `auto`: `blank-line` when the text has blank lines, else `line`;
 * - `blank-line`: documents separated by one or more blank lines (a block that is only a short heading line is
 *   joined to the next block, so a book's title does not become a record of its own);
 * - `line`: every non-blank line is a record;
 * - `file`: the whole file is one record.
 */
export type TextSplitMode = 'auto' | 'blank-line' | 'line' | 'file';

/** A heading: one line, at most 80 characters, not ending like a sentence. */
function isHeadingBlock(lines: string[]): boolean {
  return lines.length === 1 && lines[0].length <= 80 && !/[.!?,;:'"”’)]$/.test(lines[0]);
}

/**
 * Parses plain text into `{text}` records. CRLF and CR line ends become `\n`; trailing whitespace of lines and
 * surrounding blank lines are removed; inside a document lines keep their `\n`.
 * @param text file contents (BOM already removed, see {@link decodeUtf8})
 * @throws InputFileError when the file holds no text
 */
export function parseText(text: string, file: string, mode: TextSplitMode = 'auto', limits: ImportLimits = {}): RawRecord[] {
  const { maxRows, maxRecordBytes } = limitsOf(limits);
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd());
  if (lines.every((l) => l.trim() === '')) throw new InputFileError(file, 'the file is empty: no text');
  const first = lines.findIndex((l) => l.trim() !== '');
  let last = lines.length - 1;
  while (lines[last].trim() === '') last--;
  const hasBlank = lines.slice(first, last + 1).some((l) => l.trim() === '');
  const effective = mode === 'auto' ? (hasBlank ? 'blank-line' : 'line') : mode;
  const out: RawRecord[] = [];
  const push = (body: string[], startLine: number): void => {
    const loc = { file, row: out.length + 1, line: startLine };
    const text = body.join('\n');
    if (out.length === maxRows) throw new InputFileError(file, `line ${startLine}: ${tooManyRecords(maxRows)}`);
    if (text.length > maxRecordBytes) {
      throw new InputFileError(file, `line ${startLine}: ${recordTooLarge(text.length, maxRecordBytes)}`);
    }
    out.push({ fields: { text }, loc });
  };
  if (effective === 'file') {
    push(lines.slice(first, last + 1), first + 1);
    return out;
  }
  if (effective === 'line') {
    lines.forEach((l, i) => {
      if (l.trim() !== '') push([l], i + 1);
    });
    return out;
  }
  let block: string[] = [];
  let blockStart = 0;
  let pending: { lines: string[]; start: number } | null = null;
  const flush = (): void => {
    if (block.length === 0) return;
    if (isHeadingBlock(block)) {
      pending = pending ? { lines: [...pending.lines, '', ...block], start: pending.start } : { lines: block, start: blockStart };
    } else if (pending) {
      push([...pending.lines, '', ...block], pending.start);
      pending = null;
    } else push(block, blockStart);
    block = [];
  };
  lines.forEach((l, i) => {
    if (l.trim() === '') flush();
    else {
      if (block.length === 0) blockStart = i + 1;
      block.push(l);
    }
  });
  flush();
  const rest = pending as { lines: string[]; start: number } | null;
  if (rest) push(rest.lines, rest.start);
  return out;
}
