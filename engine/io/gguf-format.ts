/**
 * The GGUF container (ggml's docs/gguf.md, version 3), written from scratch: a header (magic `GGUF`, version,
 * tensor count, metadata count), typed key/value metadata, one info record per tensor (name, dimensions
 * innermost first, ggml type, offset into the data section) and the tensor data, each tensor aligned to
 * `general.alignment` (32 bytes). All integers are little-endian; strings are a uint64 byte length plus UTF-8.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** GGUF metadata value types (gguf.md `gguf_metadata_value_type`). */
export const GgufValueType = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9,
  UINT64: 10, INT64: 11, FLOAT64: 12,
} as const;

/** One metadata value with its GGUF type; arrays hold elements of one scalar type. */
export type GgufValue =
  | { type: 'u32' | 'i32' | 'f32' | 'u64'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'i32[]' | 'f32[]'; value: ArrayLike<number> }
  | { type: 'string[]'; value: readonly string[] };

/** A tensor ready to be written: its GGUF name, ggml dimensions (innermost first), ggml type id and bytes. */
export interface GgufTensor {
  name: string;
  /** ggml `ne`: innermost (row length) first, e.g. [in, out] for a linear weight stored [out, in]. */
  dims: number[];
  /** ggml type id (gguf-quant.ts GGML_TYPE). */
  type: number;
  data: Uint8Array;
}

/** Longest tensor name ggml accepts: GGML_MAX_NAME is 64 bytes including the terminating NUL. */
export const GGUF_MAX_NAME_BYTES = 63;
/** Data alignment written in `general.alignment` and used for every tensor offset. */
export const GGUF_ALIGNMENT = 32;
const MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const VERSION = 3;

/** Growable little-endian byte buffer for the header part of the file. */
class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32LE(v >>> 0, this.length); this.length += 4; }
  i32(v: number): void { this.ensure(4); this.buf.writeInt32LE(v, this.length); this.length += 4; }
  f32(v: number): void { this.ensure(4); this.buf.writeFloatLE(v, this.length); this.length += 4; }
  u64(v: number): void { this.ensure(8); this.buf.writeBigUInt64LE(BigInt(v), this.length); this.length += 8; }
  u8(v: number): void { this.ensure(1); this.buf[this.length++] = v; }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.ensure(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }
  bytes(): Buffer { return this.buf.subarray(0, this.length); }
}

function writeValue(w: ByteWriter, v: GgufValue): void {
  const T = GgufValueType;
  switch (v.type) {
    case 'u32': w.u32(T.UINT32); w.u32(v.value); break;
    case 'i32': w.u32(T.INT32); w.i32(v.value); break;
    case 'f32': w.u32(T.FLOAT32); w.f32(v.value); break;
    case 'u64': w.u32(T.UINT64); w.u64(v.value); break;
    case 'bool': w.u32(T.BOOL); w.u8(v.value ? 1 : 0); break;
    case 'string': w.u32(T.STRING); w.str(v.value); break;
    case 'i32[]': w.u32(T.ARRAY); w.u32(T.INT32); w.u64(v.value.length); for (let i = 0; i < v.value.length; i++) w.i32(v.value[i]!); break;
    case 'f32[]': w.u32(T.ARRAY); w.u32(T.FLOAT32); w.u64(v.value.length); for (let i = 0; i < v.value.length; i++) w.f32(v.value[i]!); break;
    case 'string[]': w.u32(T.ARRAY); w.u32(T.STRING); w.u64(v.value.length); for (const s of v.value) w.str(s); break;
  }
}

const align = (n: number) => Math.ceil(n / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;

/**
 * Checks a tensor's name and dimensions before anything is written.
 * @throws Error naming the tensor when its name exceeds 63 UTF-8 bytes, or a dimension is not a positive integer
 */
export function checkTensor(t: Pick<GgufTensor, 'name' | 'dims'>): void {
  const bytes = Buffer.byteLength(t.name, 'utf8');
  if (bytes === 0 || bytes > GGUF_MAX_NAME_BYTES) {
    throw new Error(`GGUF tensor name "${t.name}" is ${bytes} bytes; ggml allows 1 to ${GGUF_MAX_NAME_BYTES}`);
  }
  if (t.dims.length < 1 || t.dims.length > 4 || !t.dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`GGUF tensor "${t.name}" has dimensions [${t.dims.join(', ')}]; ggml needs 1 to 4 positive sizes`);
  }
}

/**
 * Writes a GGUF v3 file (general.alignment is added to the metadata).
 * @param metadata keys in the order they are written (gguf.md: `general.architecture` first)
 * @returns the file's size in bytes
 * @throws Error from checkTensor, or on a duplicate tensor name
 */
export function writeGguf(path: string, metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensor[]): number {
  const names = new Set<string>();
  for (const t of tensors) {
    checkTensor(t);
    if (names.has(t.name)) throw new Error(`GGUF tensor "${t.name}" is written twice`);
    names.add(t.name);
  }
  const meta = new Map(metadata);
  meta.set('general.alignment', { type: 'u32', value: GGUF_ALIGNMENT });
  const w = new ByteWriter();
  w.u32(MAGIC);
  w.u32(VERSION);
  w.u64(tensors.length);
  w.u64(meta.size);
  for (const [key, value] of meta) {
    w.str(key);
    writeValue(w, value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(offset);
    offsets.push(offset);
    offset = align(offset + t.data.length);
  }
  const header = w.bytes();
  const dataStart = align(header.length);
  const fd = openSync(path, 'w', 0o644);
  try {
    writeSync(fd, header);
    writeSync(fd, Buffer.alloc(dataStart - header.length));
    let at = 0;
    tensors.forEach((t, i) => {
      if (offsets[i]! > at) writeSync(fd, Buffer.alloc(offsets[i]! - at));
      writeSync(fd, t.data);
      at = offsets[i]! + t.data.length;
    });
    if (offset > at) writeSync(fd, Buffer.alloc(offset - at));
  } finally {
    closeSync(fd);
  }
  return dataStart + offset;
}
