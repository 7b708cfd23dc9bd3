/**
 * Parquet reader (hyparquet, pure JavaScript). Reads the whole file in memory; uncompressed and Snappy-compressed
 * files are supported (other codecs need hyparquet-compressors, which is not installed).
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { InputFileError } from '../io/errors.ts';
import { limitsOf, RAISE_ROWS, type ImportLimits } from './limits.ts';
import type { RawRecord } from './types.ts';
import { integerValue } from './json-exact.ts';

/** Makes a Parquet value JSON-like: INT64 → number (its digits when beyond 2^53 − 1), dates → ISO strings. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return integerValue(value.toString());
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/**
 * Parses Parquet bytes into records, one per row (`row` is the 1-based row number; there are no lines).
 * Unannotated BYTE_ARRAY columns are decoded as UTF-8 text. The row count in the metadata is checked against
 * `limits.maxRows` before any data is read. Columns are read one row group and one column at a time: hyparquet
 * reads a row group's columns concurrently and, when one fails, leaves the others' rejections unhandled (which
 * ends a Node process); one column per call leaves none.
 * @throws InputFileError when the bytes are not a Parquet file, use an unsupported codec, hold no rows, or hold
 *   more rows than the limit
 */
export async function parseParquet(bytes: Uint8Array, file: string, limits: ImportLimits = {}): Promise<RawRecord[]> {
  const head = String.fromCharCode(...bytes.subarray(0, 4));
  const tail = String.fromCharCode(...bytes.subarray(Math.max(0, bytes.length - 4)));
  if (bytes.length < 12 || head !== 'PAR1' || tail !== 'PAR1') {
    throw new InputFileError(file, 'not a Parquet file (missing the PAR1 magic bytes at start and end)');
  }
  const { maxRows } = limitsOf(limits);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows: Record<string, unknown>[] = [];
  try {
    const metadata = parquetMetadata(buffer);
    const total = Number(metadata.num_rows);
    if (total > maxRows) throw new InputFileError(file, `has ${total} rows, more than the limit of ${maxRows}; ${RAISE_ROWS}`);
    const names = metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.path_in_schema?.[0]));
    const columns = [...new Set(names)].filter((c): c is string => typeof c === 'string');
    let start = 0;
    for (const group of metadata.row_groups) {
      const n = Number(group.num_rows);
      if (!(n >= 0) || start + n > total) throw new Error(`row group of ${n} rows beyond the file's ${total}`);
      const groupRows: Record<string, unknown>[] = Array.from({ length: n }, () => ({}));
      for (const column of columns) {
        const part = await parquetReadObjects({ file: buffer, metadata, columns: [column], rowStart: start, rowEnd: start + n });
        part.forEach((r, i) => Object.assign(groupRows[i] ?? {}, r));
      }
      rows.push(...groupRows);
      start += n;
    }
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(file, `cannot read this Parquet file (${(e as Error).message})`);
  }
  if (rows.length === 0) throw new InputFileError(file, 'the Parquet file has no rows');
  return rows.map((row, i) => ({ fields: plain(row) as Record<string, unknown>, loc: { file, row: i + 1 } }));
}
