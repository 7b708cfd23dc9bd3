/**
 * Bit-level conversions between IEEE 754 binary32 (float32) and the two 16-bit float formats found in
 * checkpoints: binary16 (F16: 1 sign, 5 exponent, 10 mantissa bits) and bfloat16 (BF16: the top 16 bits of a
 * float32). Widening is exact; narrowing rounds to nearest, ties to even, and keeps NaN a (quiet) NaN.
 * All values are bit patterns: a float32 as an unsigned 32-bit integer, a half as an unsigned 16-bit integer.
 */

/** BF16 bits → float32 bits (exact: BF16 is the upper half of a float32). */
export function bf16ToF32Bits(h: number): number {
  return (h << 16) >>> 0;
}

/** Float32 bits → BF16 bits, round to nearest even; NaN stays NaN (quiet bit set), ±Inf stays ±Inf. */
export function f32BitsToBf16(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x007fffff) !== 0) return ((x >>> 16) | 0x0040) & 0xffff;
  const lsb = (x >>> 16) & 1;
  return Math.floor(((x >>> 0) + 0x7fff + lsb) / 0x10000) & 0xffff;
}

/** F16 (binary16) bits → float32 bits, exact for normals, subnormals, ±0, ±Inf and NaN (payload kept). */
export function f16ToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal: value = mant · 2^-24; shift the leading 1 into the implicit position.
  let e = -14;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | ((e + 127) << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

/**
 * Float32 bits → F16 (binary16) bits, round to nearest even. Magnitudes ≥ 65520 become ±Inf, magnitudes
 * ≤ 2^-25 become ±0, values between are subnormal; NaN stays NaN (quiet bit set, top payload bits kept).
 */
export function f32BitsToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant !== 0 ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00;
  const halfExp = exp - 127 + 15;
  if (halfExp >= 0x1f) return sign | 0x7c00;
  if (halfExp > 0) {
    let h = (halfExp << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is correct, up to Inf
    return sign | h;
  }
  // Subnormal result: value = M · 2^(exp-150) with M the 24-bit significand; in units of 2^-24 that is M >> (126-exp).
  const shift = 126 - exp;
  if (shift > 24) return sign;
  const m = mant | 0x800000;
  let h = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (h & 1) === 1)) h++;
  return sign | h;
}
