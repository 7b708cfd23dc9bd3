/**
 * safetensors writing, byte-compatible in layout with the reference Rust crate `safetensors` (serialize): the
 * u64 little-endian header length, the JSON header (`__metadata__` first) padded with spaces to a multiple of
 * 8 bytes, then the tensors' bytes back to back in name order. F32 is stored as is; BF16 and F16 round to
 * nearest even (half-float.ts). Files are written atomically: temporary file, fsync, rename.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { f32BitsToBf16, f32BitsToF16 } from './half-float.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A tensor to write: float32 elements, row-major. */
export interface TensorToWrite {
  /** Tensor name (not `__metadata__`), unique in the file. */
  name: string;
  /** Shape, row-major; product(shape) = data.length. */
  shape: number[];
  /** Elements, row-major. */
  data: Float32Array;
}

/** Options of writeSafetensors. */
export interface WriteSafetensorsOptions {
  /** Stored element type; BF16 and F16 round to nearest even (NaN kept as NaN). */
  dtype: 'F32' | 'BF16' | 'F16';
  /** `__metadata__` strings, e.g. `{format: 'pt'}`. */
  metadata?: Record<string, string>;
}

/** Encodes float32 elements as little-endian bytes of `dtype`. */
function encode(data: Float32Array, dtype: WriteSafetensorsOptions['dtype']): Uint8Array {
  if (dtype === 'F32' && LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * (dtype === 'F32' ? 4 : 2));
  const view = new DataView(out.buffer);
  if (dtype === 'F32') {
    for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
    return out;
  }
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const convert = dtype === 'BF16' ? f32BitsToBf16 : f32BitsToF16;
  if (LITTLE_ENDIAN) {
    const halves = new Uint16Array(out.buffer);
    for (let i = 0; i < data.length; i++) halves[i] = convert(bits[i]);
    return out;
  }
  for (let i = 0; i < data.length; i++) view.setUint16(2 * i, convert(bits[i]), true);
  return out;
}

/**
 * Writes tensors to a safetensors file, atomically: a temporary file in the same folder, fsync, then rename.
 * Tensors are laid out sorted by name (as the reference crate orders equal-dtype tensors); `__metadata__` comes
 * first in the header; the header is padded with spaces to a multiple of 8 bytes, as the reference crate does.
 * @throws Error (not InputFileError: the caller's data is wrong) on a duplicate or `__metadata__` name, or a
 *   data length that does not match its shape; any I/O error. The target is untouched on failure.
 */
export function writeSafetensors(path: string, tensors: readonly TensorToWrite[], options: WriteSafetensorsOptions): void {
  const elementBytes = options.dtype === 'F32' ? 4 : 2;
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = { ...options.metadata };
  let offset = 0;
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i];
    if (t.name === '__metadata__' || (i > 0 && sorted[i - 1].name === t.name)) throw new Error(`${path}: tensor name "${t.name}" is reserved or repeated`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== t.data.length) {
      throw new Error(`${path}: tensor "${t.name}" has ${t.data.length} elements but shape ${JSON.stringify(t.shape)}`);
    }
    Object.defineProperty(header, t.name, {
      value: { dtype: options.dtype, shape: t.shape, data_offsets: [offset, offset + count * elementBytes] },
      enumerable: true, writable: true, configurable: true,
    });
    offset += count * elementBytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(padded.length));
  const temp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const fd = openSync(temp, 'wx');
  try {
    writeSync(fd, prefix);
    writeSync(fd, padded);
    for (const t of sorted) {
      const bytes = encode(t.data, options.dtype);
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, Math.min(1 << 30, bytes.length - done));
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    try { unlinkSync(temp); } catch { /* never created or already renamed */ }
    throw e;
  }
}
