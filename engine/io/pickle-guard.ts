/**
 * Refusal of PyTorch pickle checkpoints (`pytorch_model.bin`, `.pt`, `.pth`). Unpickling runs arbitrary code,
 * so these files are recognised by their first bytes and refused, never parsed (DESIGN.md, untrusted files).
 * Two layouts exist: since PyTorch 1.6, a zip archive (`PK\x03\x04`) holding `<name>/data.pkl`; before it, a raw
 * pickle stream starting with the PROTO opcode `\x80` and a protocol byte 2–5.
 * A llama2.c `.bin` is not a pickle although it can start with `\x80\x02` (dim = 640 is `80 02 00 00`): its third
 * byte is then 0, which no pickle opcode is, so the two are told apart by the third byte.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputFileError } from './errors.ts';

/** How a file was recognised as a pickle checkpoint. */
export type PickleKind = 'zip-pickle' | 'raw-pickle';

/** Bytes searched for a `data.pkl` entry name at each end of a zip (local header first, central directory last). */
const ZIP_SCAN_BYTES = 1 << 20;

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** A ReadAt over an open file descriptor (each call allocates the bytes it returns). */
export function fdReader(fd: number): ReadAt {
  return (position, length) => readAt(fd, position, length);
}

/**
 * Opens `path` for reading, hands `use` a ReadAt over it and its size in bytes, and closes it again.
 * @throws InputFileError naming the file when it cannot be opened; whatever `use` throws
 */
export function withFileReader<T>(path: string, use: (read: ReadAt, size: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new InputFileError(path, `cannot open: ${(e as Error).message}`);
  }
  try {
    return use(fdReader(fd), fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

/** Random access to bytes: up to `length` bytes at `position` (fewer, or none, past the end). */
export type ReadAt = (position: number, length: number) => Uint8Array;

/**
 * Recognises a PyTorch pickle checkpoint by its leading bytes (and, for a zip, a `.pkl` entry name), in any bytes.
 * @param readAt reads the file's (or buffer's) bytes
 * @param size total length in bytes
 * @returns the kind of pickle, or null when the bytes are not one
 */
export function sniffPickleBytes(readAt: ReadAt, size: number): PickleKind | null {
  const head = Buffer.from(readAt(0, 4));
  if (head.length < 3) return null;
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5 && head[2] !== 0) return 'raw-pickle';
  if (head.length === 4 && head.readUInt32LE(0) === 0x04034b50) {
    const first = Buffer.from(readAt(0, Math.min(size, ZIP_SCAN_BYTES)));
    const last = size > ZIP_SCAN_BYTES ? Buffer.from(readAt(size - ZIP_SCAN_BYTES, ZIP_SCAN_BYTES)) : first;
    if (first.includes('.pkl') || last.includes('.pkl')) return 'zip-pickle';
  }
  return null;
}

/**
 * Recognises a PyTorch pickle checkpoint by its leading bytes (and, for a zip, a `.pkl` entry name).
 * @param path file to look at
 * @returns the kind of pickle, or null when the file is not one (including empty and unreadable-as-pickle files)
 * @throws InputFileError when the file cannot be opened
 */
export function sniffPickle(path: string): PickleKind | null {
  return withFileReader(path, (read, size) => sniffPickleBytes(read, size));
}

/** The user-facing problem text for a refused pickle checkpoint (to follow the file name). */
export function describePickle(kind: PickleKind): string {
  const layout = kind === 'zip-pickle' ? 'zip archive with data.pkl' : 'raw pickle stream';
  return (
    `is a PyTorch pickle checkpoint (${layout}); pickle files can run code and are never loaded. ` +
    'Convert it to safetensors (e.g. download the model\'s .safetensors files, or in a Python environment you trust: ' +
    'safetensors.torch.save_file(torch.load(path, weights_only=True), "model.safetensors"))'
  );
}

/**
 * Refuses a PyTorch pickle checkpoint; passes anything else (safetensors, llama2.c `.bin`, GGUF…) untouched.
 * @throws InputFileError naming the file, saying it is a pickle checkpoint and how to convert it
 */
export function assertNotPickle(path: string): void {
  const kind = sniffPickle(path);
  if (kind) throw new InputFileError(path, describePickle(kind));
}
