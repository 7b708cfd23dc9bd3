/**
 * JSON parsing that keeps integers exact, as Python's json module does: an integer literal beyond JavaScript's
 * safe range (|n| > 2^53 − 1; `1152921504606846977` would become 1152921504606847000) is kept as its source digits,
 * a string. Every other number is a JavaScript number, as JSON.parse gives it. Node 20 has no JSON.parse source
 * access (the "JSON.parse source text access" proposal's `context.source`), so such literals are quoted before
 * parsing. The same rule makes a Parquet INT64 a number or its digits (read-parquet.ts).
 */

/** An integer written in decimal (`-12`, `1152921504606846977`): a number when it is safe, else the text itself. */
export function integerValue(digits: string): number | string {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : digits;
}

/** Sixteen digits in a row: the shortest run an integer beyond 2^53 − 1 needs; without one, JSON.parse is exact. */
const LONG_DIGITS = /\d{16}/;
/** A JSON string literal (skipped whole, so digits inside strings are left alone) or a JSON number literal. */
const LITERAL = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * JSON.parse, keeping integers beyond 2^53 − 1 as their source text (see the module comment).
 * @throws SyntaxError from JSON.parse on the original text (so its position is the source's) when it is not JSON
 */
export function parseJsonExact(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  let quoted = false;
  const rewritten = text.replace(LITERAL, (literal) => {
    if (literal.startsWith('"') || /[.eE]/.test(literal) || typeof integerValue(literal) === 'number') return literal;
    quoted = true;
    return `"${literal}"`;
  });
  if (!quoted) return JSON.parse(text);
  try {
    return JSON.parse(rewritten);
  } catch {
    return JSON.parse(text); // not JSON: the error names the position in the source text
  }
}
