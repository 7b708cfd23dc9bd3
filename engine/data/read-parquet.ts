/**
 * Parquet reader (hyparquet, pure JavaScript). Reads the whole file in memory; uncompressed and Snappy-compressed
 * files are supported (other codecs need hyparquet-compressors, which is not installed).
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { InputFileError } from '../io/errors.ts';
import type { RawRecord } from './types.ts';

/** Makes a Parquet value JSON-like: INT64 → number (string when beyond 2^53), dates → ISO strings. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
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
 * Unannotated BYTE_ARRAY columns are decoded as UTF-8 text.
 * @throws InputFileError when the bytes are not a Parquet file, use an unsupported codec, or hold no rows
 */
export async function parseParquet(bytes: Uint8Array, file: string): Promise<RawRecord[]> {
  const head = String.fromCharCode(...bytes.subarray(0, 4));
  const tail = String.fromCharCode(...bytes.subarray(Math.max(0, bytes.length - 4)));
  if (bytes.length < 12 || head !== 'PAR1' || tail !== 'PAR1') {
    throw new InputFileError(file, 'not a Parquet file (missing the PAR1 magic bytes at start and end)');
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    const metadata = parquetMetadata(buffer);
    rows = await parquetReadObjects({ file: buffer, metadata });
  } catch (e) {
    throw new InputFileError(file, `cannot read this Parquet file (${(e as Error).message})`);
  }
  if (rows.length === 0) throw new InputFileError(file, 'the Parquet file has no rows');
  return rows.map((row, i) => ({ fields: plain(row) as Record<string, unknown>, loc: { file, row: i + 1 } }));
}
