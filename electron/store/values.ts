/**
 * Conversions between JavaScript values and column values shared by the repositories: JSON columns, keep and
 * trainable masks, timestamps (seconds since the Unix epoch, REAL) and row ids.
 */
import type { KeepMask } from '../../engine/model/sublayers.ts';

/** Now, in seconds since the Unix epoch (fractional, millisecond resolution): the unit of every `*_at` column. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}

/**
 * Serialises a value for a JSON (TEXT) column.
 * @param what names the value in the error, e.g. "run config".
 * @throws Error when the value has no JSON form (undefined, a function, a bigint, a cycle) or holds a
 *   non-finite number, which JSON would silently turn into null.
 */
export function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new Error(`${key === '' ? 'the value' : `field "${key}"`} is ${v}, which JSON cannot hold`);
      }
      return v;
    });
  } catch (err) {
    throw new Error(`cannot store ${what} as JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw new Error(`cannot store ${what} as JSON: ${typeof value} has no JSON form`);
  return text;
}

/**
 * Parses a JSON column read back from the database.
 * @throws Error naming `what` when the text is not JSON (only possible if the file was edited by hand: every
 *   JSON column has a `json_valid` CHECK).
 */
export function fromJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`stored ${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Serialises a keep or trainable mask (one boolean per sub-layer, `attn0, mlp0, attn1, …`) as a JSON array.
 * @throws Error when the mask is empty, of odd length, or holds a non-boolean.
 */
export function maskToJson(mask: readonly boolean[], what: string): string {
  if (mask.length === 0 || mask.length % 2 !== 0) {
    throw new Error(`${what} must have 2L entries (two sub-layers per block), got ${mask.length}`);
  }
  if (!mask.every((b) => typeof b === 'boolean')) throw new Error(`${what} must hold only booleans`);
  return JSON.stringify(mask);
}

/**
 * Parses a mask column back into a KeepMask.
 * @throws Error when the stored value is not an array of booleans of even length.
 */
export function maskFromJson(text: string, what: string): KeepMask {
  const value = fromJsonText(text, what);
  if (!Array.isArray(value) || value.length % 2 !== 0 || !value.every((b) => typeof b === 'boolean')) {
    throw new Error(`stored ${what} is not an array of 2L booleans`);
  }
  return value as boolean[];
}

/**
 * Converts a rowid reported by the driver into a number.
 * @throws Error when it exceeds Number.MAX_SAFE_INTEGER (never in practice: ids count up from 1).
 */
export function rowId(id: number | bigint): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n)) throw new Error(`row id ${id} is not a safe integer`);
  return n;
}
