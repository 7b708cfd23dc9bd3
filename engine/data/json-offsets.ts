/**
 * Finds where the top-level elements of a JSON document start, so records read from a JSON array or a JSON object
 * keyed by id can name their line in error messages. Works on text that JSON.parse has already accepted.
 */

/** Maps character offsets of a text to 1-based line numbers (`\n` ends a line; `\r\n` counts once). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line containing character offset `offset` (0-based). */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

const WS = new Set([' ', '\t', '\n', '\r', '\uFEFF']);

/**
 * Character offsets of each element of the top-level array, or of each key of the top-level object, in order.
 * Returns [] when the top level is neither. Assumes valid JSON (call after JSON.parse succeeded).
 */
export function topLevelOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let expectingItem = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (WS.has(c)) continue;
    if (expectingItem && depth === 1 && c !== ']' && c !== '}') out.push(i);
    expectingItem = false;
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectingItem = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectingItem = true;
  }
  return out;
}

/**
 * 1-based line and column of a JSON.parse error, read from its message (`at position N` or `line L column C`).
 * Returns null when the message gives neither.
 */
export function jsonErrorPosition(message: string, text: string): { line: number; column: number } | null {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  if (!pos) return null;
  const offset = Number(pos[1]);
  const before = text.lastIndexOf('\n', offset - 1);
  return { line: new LineIndex(text).lineOf(offset), column: offset - before };
}

/**
 * The JSON string literal starting at `offset` (which must be a `"`), decoded; used to read the keys of a
 * top-level object in source order (JSON.parse moves integer-like keys such as PubMed IDs to the front, sorted).
 */
export function stringAt(text: string, offset: number): string {
  let i = offset + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return JSON.parse(text.slice(offset, i + 1)) as string;
}
