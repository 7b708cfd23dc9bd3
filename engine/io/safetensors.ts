/**
 * safetensors reading (https://huggingface.co/docs/safetensors, format as written by the reference
 * Rust crate `safetensors`): an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`, then the data buffer, with
 * offsets relative to its start. The header is untrusted: every field is checked before use, and each failure is
 * an InputFileError naming the file and the tensor or field. Tensors are read one at a time (open + readSync), so
 * a multi-GB checkpoint never sits in memory whole. Writing: safetensors-write.ts; pickle refusal: pickle-guard.ts
 * (both re-exported here); sharded checkpoints: safetensors-sharded.ts.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { InputFileError } from './errors.ts';
import { describePickle, sniffPickleBytes, withFileReader, type ReadAt } from './pickle-guard.ts';
import { bf16ToF32Bits, f16ToF32Bits } from './half-float.ts';

export { assertNotPickle, sniffPickle, type PickleKind } from './pickle-guard.ts';
export { writeSafetensors, type TensorToWrite, type WriteSafetensorsOptions } from './safetensors-write.ts';

/** Bytes per element of every dtype the format defines. Only F64/F32/F16/BF16 convert to Float32. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, F8_E5M2: 1,
  I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

/** A dtype name of the safetensors format, e.g. `F32`, `BF16`, `I64`. */
export type SafetensorsDtype = string;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest header accepted, in bytes (the reference crate uses the same 100 MB cap). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Where one tensor lies in a file, as checked from its header. */
export interface SafetensorsTensorInfo {
  /** Tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  /** Element type, one of the format's dtypes. */
  dtype: SafetensorsDtype;
  /** Shape, row-major (e.g. `[out, in]` for a Linear weight); `[]` for a scalar. */
  shape: number[];
  /** Start byte offset, relative to the start of the data buffer. */
  begin: number;
  /** End byte offset (exclusive), relative to the start of the data buffer; end - begin = elements × dtype size. */
  end: number;
}

/** A parsed (header-only) safetensors file. Tensor bytes are read on demand with readTensor. */
export interface SafetensorsFile {
  /** The path as given. */
  path: string;
  /** File size in bytes when parsed. */
  fileSize: number;
  /** Absolute byte offset of the data buffer in the file (8 + header length). */
  dataStart: number;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
  /** Tensors by name, in header order. */
  tensors: ReadonlyMap<string, SafetensorsTensorInfo>;
}

/** A tensor converted to float32. */
export interface FloatTensor {
  /** The dtype it was stored as (F32, F16, BF16 or F64). */
  dtype: SafetensorsDtype;
  /** Shape, row-major. */
  shape: number[];
  /** Elements, row-major; length = product(shape). */
  data: Float32Array;
}

let f16Bits: Uint32Array | undefined;
/** F16 bits → float32 bits for all 65536 patterns, built on first use (256 KiB). */
function f16Table(): Uint32Array {
  if (!f16Bits) {
    f16Bits = new Uint32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) f16Bits[h] = f16ToF32Bits(h);
  }
  return f16Bits;
}

/** Reads exactly `length` bytes at `position` into `target`, or throws (file shorter than its header says). */
function readFully(fd: number, file: string, target: Uint8Array, position: number, what: string): void {
  const CHUNK = 1 << 30; // readSync refuses lengths ≥ 2 GiB
  let done = 0;
  while (done < target.length) {
    const n = readSync(fd, target, done, Math.min(CHUNK, target.length - done), position + done);
    if (n === 0) throw new InputFileError(file, `file ended while reading ${what} (truncated or changed while reading)`);
    done += n;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks one header entry and returns its info; `bufferBytes` is the data buffer length. */
function checkEntry(file: string, name: string, entry: unknown, bufferBytes: number): SafetensorsTensorInfo {
  const where = `tensor "${name}"`;
  if (!isPlainObject(entry)) throw new InputFileError(file, `${where}: header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw new InputFileError(file, `${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InputFileError(file, `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    if (!Number.isSafeInteger(count)) throw new InputFileError(file, `${where}: shape ${JSON.stringify(shape)} has too many elements`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new InputFileError(file, `${where}: data_offsets must be two non-negative integers [begin, end], got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new InputFileError(file, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > bufferBytes) {
    throw new InputFileError(file, `${where}: data_offsets [${begin}, ${end}] go beyond the data buffer (${bufferBytes} bytes; is the file truncated?)`);
  }
  const bytes = count * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(bytes) || end - begin !== bytes) {
    throw new InputFileError(file, `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} shape ${JSON.stringify(shape)} needs ${bytes}`);
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

/**
 * Parses and validates the header of a safetensors file (the data buffer is not read).
 * Checks: header length ≥ 2, ≤ MAX_HEADER_BYTES and inside the file; UTF-8 JSON object; `__metadata__` a string
 * map; every dtype known; shapes non-negative integers; byte spans matching shape × element size; offsets inside
 * the buffer; no two tensors overlapping; the buffer fully covered (as the reference crate requires).
 * @param path file to read
 * @throws InputFileError naming the file and the problem (a PyTorch pickle gets its own message)
 */
export function readSafetensors(path: string): SafetensorsFile {
  return withFileReader(path, (read, size) => parseHeader(read, size, path));
}

/**
 * The checks of readSafetensors on the bytes of a whole file held in memory (header only; the result's `path`
 * is `path`, which readTensor would open).
 * @param bytes the file's content
 * @param path the name used in errors
 * @throws InputFileError naming `path` and the problem
 */
export function parseSafetensors(bytes: Uint8Array, path: string): SafetensorsFile {
  return parseHeader((position, length) => bytes.subarray(position, position + length), bytes.length, path);
}

/** The checks of readSafetensors, on random-access bytes of `fileSize` bytes. */
function parseHeader(readAt: ReadAt, fileSize: number, path: string): SafetensorsFile {
  if (fileSize === 0) throw new InputFileError(path, 'file is empty, not a safetensors file');
  if (fileSize < 8) throw new InputFileError(path, `file is ${fileSize} bytes, shorter than the 8-byte safetensors header length`);
  const exactly = (position: number, length: number, what: string): Uint8Array => {
    const bytes = readAt(position, length);
    if (bytes.length < length) throw new InputFileError(path, `file ended while reading ${what} (truncated or changed while reading)`);
    return bytes;
  };
  const prefix = exactly(0, 8, 'the header length');
  // A pickle fails here (its first bytes make no sane header length or JSON); then say what it really is.
  const notHeader = (problem: string): InputFileError => {
    const pickle = sniffPickleBytes(readAt, fileSize);
    return new InputFileError(path, pickle ? describePickle(pickle) : problem);
  };
  const n = Buffer.from(prefix).readBigUInt64LE(0);
  if (n < 2n) throw notHeader(`header length ${n} is too small for a JSON header (at least 2 bytes)`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw notHeader(`header length ${n} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit; not a safetensors file?`);
  const headerBytes = Number(n);
  if (8 + headerBytes > fileSize) {
    throw notHeader(`header length ${headerBytes} goes beyond the end of the file (${fileSize} bytes)`);
  }
  const raw = exactly(8, headerBytes, 'the header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    throw notHeader(`header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(header)) throw new InputFileError(path, `header JSON must be an object, got ${Array.isArray(header) ? 'an array' : typeof header === 'object' ? 'null' : typeof header}`);
  const dataStart = 8 + headerBytes;
  const bufferBytes = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (entry === null) continue;
      if (!isPlainObject(entry)) throw new InputFileError(path, '__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new InputFileError(path, `__metadata__ "${k}" must be a string, got ${JSON.stringify(v)}`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    tensors.set(name, checkEntry(path, name, entry, bufferBytes));
  }
  const spans = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (let i = 0; i < spans.length; i++) {
    const t = spans[i];
    if (t.begin < covered) {
      throw new InputFileError(path, `tensor "${t.name}" [${t.begin}, ${t.end}) overlaps tensor "${spans[i - 1].name}" [${spans[i - 1].begin}, ${spans[i - 1].end})`);
    }
    if (t.begin > covered) throw new InputFileError(path, `data buffer bytes [${covered}, ${t.begin}) belong to no tensor (gap before tensor "${t.name}")`);
    covered = t.end;
  }
  if (covered !== bufferBytes) {
    throw new InputFileError(path, `data buffer is ${bufferBytes} bytes but tensors cover only [0, ${covered}) (trailing bytes)`);
  }
  return { path, fileSize, dataStart, metadata, tensors };
}

/** Looks a tensor up by name. @throws InputFileError naming the file and the missing tensor */
export function tensorInfo(file: SafetensorsFile, name: string): SafetensorsTensorInfo {
  const info = file.tensors.get(name);
  if (!info) throw new InputFileError(file.path, `has no tensor "${name}"`);
  return info;
}

/**
 * Reads one tensor's raw little-endian bytes (any dtype), e.g. an I64 position-ids buffer.
 * @returns a fresh, 8-byte aligned Uint8Array of (end - begin) bytes
 * @throws InputFileError when the tensor is missing or the file got shorter since it was parsed
 */
export function readTensorBytes(file: SafetensorsFile, name: string): Uint8Array {
  const info = tensorInfo(file, name);
  const bytes = new Uint8Array(new ArrayBuffer(Math.ceil((info.end - info.begin) / 8) * 8), 0, info.end - info.begin);
  readSpan(file, info, bytes);
  return bytes;
}

/** Reads a tensor's bytes into `target` (exactly end - begin bytes). */
function readSpan(file: SafetensorsFile, info: SafetensorsTensorInfo, target: Uint8Array): void {
  let fd: number;
  try {
    fd = openSync(file.path, 'r');
  } catch (e) {
    throw new InputFileError(file.path, `cannot open: ${(e as Error).message}`);
  }
  try {
    readFully(fd, file.path, target, file.dataStart + info.begin, `tensor "${info.name}"`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads one float tensor and converts it to float32: F32 as is, F16 and BF16 exactly, F64 rounded to nearest.
 * @throws InputFileError when the tensor is missing or its dtype is not a float type (e.g. I64, U8, BOOL)
 */
export function readTensor(file: SafetensorsFile, name: string): FloatTensor {
  const info = tensorInfo(file, name);
  if (!['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) {
    throw new InputFileError(file.path, `tensor "${name}" has dtype ${info.dtype}; only F32, F16, BF16 and F64 convert to float32`);
  }
  const count = info.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  if (info.dtype === 'F32' && LITTLE_ENDIAN) {
    readSpan(file, info, new Uint8Array(out.buffer)); // straight into the result: no second copy
    return { dtype: info.dtype, shape: [...info.shape], data: out };
  }
  const bytes = readTensorBytes(file, name);
  const bits = new Uint32Array(out.buffer);
  if (LITTLE_ENDIAN && (info.dtype === 'BF16' || info.dtype === 'F16')) {
    const halves = new Uint16Array(bytes.buffer, 0, count);
    if (info.dtype === 'BF16') for (let i = 0; i < count; i++) bits[i] = halves[i] << 16;
    else {
      const table = f16Table();
      for (let i = 0; i < count; i++) bits[i] = table[halves[i]];
    }
    return { dtype: info.dtype, shape: [...info.shape], data: out };
  }
  const view = new DataView(bytes.buffer, 0, bytes.length);
  if (info.dtype === 'F32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  else if (info.dtype === 'F64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
  else if (info.dtype === 'BF16') for (let i = 0; i < count; i++) bits[i] = bf16ToF32Bits(view.getUint16(2 * i, true));
  else for (let i = 0; i < count; i++) bits[i] = f16ToF32Bits(view.getUint16(2 * i, true));
  return { dtype: info.dtype, shape: [...info.shape], data: out };
}
