/**
 * Tensor encodings of the GGUF writer: F32, F16 and ggml's two simplest block quantizations, after
 * ggml-quants.c's reference quantizers (`quantize_row_q8_0_ref`, `quantize_row_q4_0_ref`):
 * - Q8_0: blocks of 32 values → one F16 scale d = max|x| / 127 and 32 int8 q = round(x / d) (half away from
 *   zero); 34 bytes per block, x ≈ d·q.
 * - Q4_0: blocks of 32 values → one F16 scale d = m / -8 (m the value of largest magnitude, sign kept) and 16
 *   bytes of 4-bit q = min(15, trunc(x / d + 8.5)), value j in the low nibble of byte j and value j+16 in its
 *   high nibble; 18 bytes per block, x ≈ d·(q - 8).
 * Blocks run along a row (ggml's innermost dimension), so a row length not divisible by 32 cannot be quantized:
 * such a tensor is written as F16 instead (the same fallback as llama.cpp's converter), and the caller records it.
 */
import { f16ToF32Bits, f32BitsToF16 } from './half-float.ts';

/** ggml type ids (ggml.h `enum ggml_type`). */
export const GGML_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;

/** The dtypes the exporter writes. */
export type GgufDtype = keyof typeof GGML_TYPE;

/** All dtypes, for CLI and API validation. */
export const GGUF_DTYPES: readonly GgufDtype[] = ['F32', 'F16', 'Q8_0', 'Q4_0'];

/** llama.cpp `general.file_type` (enum llama_ftype) of a whole file of each dtype. */
export const GGUF_FILE_TYPE: Record<GgufDtype, number> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7 };

/** Values per quantization block of Q8_0 and Q4_0 (ggml QK8_0 = QK4_0 = 32). */
export const QUANT_BLOCK = 32;

const f32Bits = new Uint32Array(1);
const f32View = new Float32Array(f32Bits.buffer);
function toF16(x: number): number {
  f32View[0] = x;
  return f32BitsToF16(f32Bits[0]!);
}
/** F16 bits → number (exact). */
export function f16ToNumber(h: number): number {
  f32Bits[0] = f16ToF32Bits(h);
  return f32View[0]!;
}

/** Rounds half away from zero, as C's roundf. */
const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

function encodeF16(x: Float32Array): Uint8Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = toF16(x[i]!);
  return new Uint8Array(out.buffer);
}

function encodeQ8_0(x: Float32Array): Uint8Array {
  const blocks = x.length / QUANT_BLOCK;
  const out = new Uint8Array(blocks * 34);
  const view = new DataView(out.buffer);
  const f = Math.fround;
  for (let b = 0; b < blocks; b++) {
    const base = b * QUANT_BLOCK;
    let amax = 0;
    for (let j = 0; j < QUANT_BLOCK; j++) amax = Math.max(amax, Math.abs(x[base + j]!));
    const d = f(amax / 127);
    const id = d ? f(1 / d) : 0;
    view.setUint16(b * 34, toF16(d), true);
    for (let j = 0; j < QUANT_BLOCK; j++) view.setInt8(b * 34 + 2 + j, roundAway(f(x[base + j]! * id)));
  }
  return out;
}

function encodeQ4_0(x: Float32Array): Uint8Array {
  const blocks = x.length / QUANT_BLOCK;
  const out = new Uint8Array(blocks * 18);
  const view = new DataView(out.buffer);
  const f = Math.fround;
  const half = QUANT_BLOCK / 2;
  for (let b = 0; b < blocks; b++) {
    const base = b * QUANT_BLOCK;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QUANT_BLOCK; j++) {
      const v = x[base + j]!;
      if (Math.abs(v) > amax) { amax = Math.abs(v); max = v; }
    }
    const d = f(max / -8);
    const id = d ? f(1 / d) : 0;
    view.setUint16(b * 18, toF16(d), true);
    for (let j = 0; j < half; j++) {
      const q0 = Math.min(15, Math.trunc(f(f(x[base + j]! * id) + 8.5)));
      const q1 = Math.min(15, Math.trunc(f(f(x[base + half + j]! * id) + 8.5)));
      out[b * 18 + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

/** An encoded tensor: the ggml type actually used and its bytes. */
export interface EncodedTensor {
  type: number;
  dtype: GgufDtype;
  data: Uint8Array;
  /** Set when the requested dtype could not be used: why, in words. */
  fallback?: string;
}

/**
 * Encodes a tensor's float32 values (row-major, rows of `rowLength` values) in `dtype`.
 * Q8_0/Q4_0 need rowLength divisible by 32; otherwise the tensor is written as F16 and `fallback` says so.
 * @throws Error when values.length is not a multiple of rowLength
 */
export function encodeTensor(values: Float32Array, rowLength: number, dtype: GgufDtype): EncodedTensor {
  if (rowLength <= 0 || values.length % rowLength !== 0) {
    throw new Error(`tensor of ${values.length} values does not split into rows of ${rowLength}`);
  }
  if ((dtype === 'Q8_0' || dtype === 'Q4_0') && rowLength % QUANT_BLOCK !== 0) {
    const fallback = `row length ${rowLength} is not a multiple of ${QUANT_BLOCK}: written as F16 instead of ${dtype}`;
    return { ...encodeTensor(values, rowLength, 'F16'), fallback };
  }
  const type = GGML_TYPE[dtype];
  switch (dtype) {
    case 'F32': return { type, dtype, data: new Uint8Array(values.slice().buffer) };
    case 'F16': return { type, dtype, data: encodeF16(values) };
    case 'Q8_0': return { type, dtype, data: encodeQ8_0(values) };
    case 'Q4_0': return { type, dtype, data: encodeQ4_0(values) };
  }
}

/**
 * Decodes bytes written by encodeTensor back to float32 (tests and error bounds).
 * @param count number of values
 */
export function decodeTensor(data: Uint8Array, type: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (type === GGML_TYPE.F32) return new Float32Array(data.slice().buffer, 0, count);
  if (type === GGML_TYPE.F16) {
    for (let i = 0; i < count; i++) out[i] = f16ToNumber(view.getUint16(2 * i, true));
    return out;
  }
  const q8 = type === GGML_TYPE.Q8_0;
  const size = q8 ? 34 : 18;
  for (let b = 0; b < count / QUANT_BLOCK; b++) {
    const d = f16ToNumber(view.getUint16(b * size, true));
    for (let j = 0; j < QUANT_BLOCK; j++) {
      const base = b * QUANT_BLOCK;
      if (q8) out[base + j] = d * view.getInt8(b * size + 2 + j);
      else {
        const byte = data[b * size + 2 + (j % 16)]!;
        out[base + j] = d * ((j < 16 ? byte & 15 : byte >> 4) - 8);
      }
    }
  }
  return out;
}
