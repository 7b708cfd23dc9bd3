/**
 * Fuzzing harness shared by test/fuzz/*.test.ts (fast-check). Each target runs RUNS generated inputs (10,000 by
 * default; `TRIMLLM_FUZZ_RUNS` lowers it for a quick local run or raises it for a long one, `TRIMLLM_FUZZ_SEED`
 * replays one seed). A case passes when the reader returns, or throws an error the target accepts (one of the
 * project's error classes, naming the file/record/field). Anything else fails the property: a TypeError or
 * RangeError from deep inside, a wrong error class, a message that names nothing, or a case slower than
 * HANG_BOUND_MS (a hang bound, not a speed check: the inputs are a few hundred bytes).
 * fast-check then shrinks the input and prints the seed and path to replay it; keep the minimal input as a
 * regression case in test/fuzz/regressions.test.ts.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { InputFileError } from '../../engine/io/errors.ts';

/** Generated cases per target. */
export const RUNS = Number(process.env.TRIMLLM_FUZZ_RUNS ?? 10_000);
/** A case slower than this is reported as a hang (ms). */
export const HANG_BOUND_MS = 2000;
/** Seed of every target's run (fixed, so CI is reproducible; a failure message repeats it). */
export const SEED = Number(process.env.TRIMLLM_FUZZ_SEED ?? 20261129);

/**
 * When set, each case's input is written to this file before it runs, so a case that hangs the process (a
 * synchronous infinite loop, which no in-process timer can interrupt) can be read back after killing it.
 */
const LAST_INPUT_FILE = process.env.TRIMLLM_FUZZ_LAST_INPUT;

/** Numbers that break length fields: 0, ±1, sign bits, 2 GB, 4 GB, 2^53, 2^63, 2^64 − 1. */
export const NASTY_U64: readonly bigint[] = [
  0n, 1n, 2n, 7n, 8n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  2n ** 31n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n,
];

/** One edit of a byte string. Positions are taken modulo the current length. */
type Edit =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'number'; at: number; value: bigint; width: 1 | 2 | 4 | 8 }
  | { kind: 'splice'; at: number; text: string };

const editArb = (tokens: readonly string[]): fc.Arbitrary<Edit> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('number' as const),
        at: fc.nat(),
        value: fc.oneof(fc.constantFrom(...NASTY_U64), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
        width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      }),
    },
    ...(tokens.length > 0
      ? [{ weight: 3, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: fc.constantFrom(...tokens) }) }]
      : []),
  );

function applyEdit(input: Uint8Array, e: Edit): Uint8Array {
  const n = input.length;
  const at = n === 0 ? 0 : e.at % (n + (e.kind === 'insert' || e.kind === 'splice' ? 1 : 0));
  switch (e.kind) {
    case 'set': {
      if (n === 0) return input;
      const out = Uint8Array.from(input);
      out[at] = e.value;
      return out;
    }
    case 'insert':
      return concat(input.subarray(0, at), e.bytes, input.subarray(at));
    case 'splice':
      return concat(input.subarray(0, at), new TextEncoder().encode(e.text), input.subarray(at));
    case 'delete':
      return concat(input.subarray(0, at), input.subarray(at + e.length));
    case 'truncate':
      return input.slice(0, at);
    case 'duplicate':
      return concat(input.subarray(0, at + e.length), input.subarray(at));
    case 'number': {
      if (n === 0) return input;
      const out = Uint8Array.from(input);
      for (let i = 0; i < e.width && at + i < n; i++) out[at + i] = Number((e.value >> BigInt(8 * i)) & 0xffn);
      return out;
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Malformed variants of valid inputs: one of `seeds` with 1–6 edits (byte set/insert/delete, truncation,
 * duplication, a nasty number written over 1–8 bytes, a format token spliced in), or random bytes.
 * @param seeds valid inputs of the format
 * @param tokens format-specific snippets worth splicing in (e.g. `"`, `{`, `\n`, `null`)
 */
export function mutatedBytes(seeds: readonly Uint8Array[], tokens: readonly string[] = []): fc.Arbitrary<Uint8Array> {
  const edited = fc
    .tuple(fc.constantFrom(...seeds), fc.array(editArb(tokens), { minLength: 1, maxLength: 6 }))
    .map(([seed, edits]) => edits.reduce(applyEdit, seed));
  return fc.oneof({ weight: 9, arbitrary: edited }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) });
}

/** One structural edit of a JSON document: at the node reached by `path` (indices taken modulo each container). */
interface JsonEdit {
  path: number[];
  op: 'replace' | 'delete' | 'duplicate' | 'wrap';
  value: unknown;
}

function editJson(doc: unknown, e: JsonEdit): unknown {
  const root = structuredClone({ r: doc }) as Record<string, unknown>;
  let parent: Record<string, unknown> | unknown[] = root;
  let key: string | number = 'r';
  for (const step of e.path) {
    const node = (parent as Record<string | number, unknown>)[key];
    if (typeof node !== 'object' || node === null) break;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node as Record<string, unknown> | unknown[];
    key = keys[step % keys.length]!;
  }
  const target = parent as Record<string | number, unknown>;
  if (e.op === 'replace') target[key] = e.value;
  else if (e.op === 'wrap') target[key] = [target[key]];
  else if (e.op === 'duplicate' && Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
  else if (parent !== root) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete target[key];
  }
  return root.r;
}

/** Junk JSON values, biased to the ones readers trip on. */
export const jsonJunk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -0, 1e308, '', ' ', '\u0000', '__proto__', [], {}, [[]], { '': null }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 20, unit: 'binary' }),
);

/**
 * Structurally edited JSON documents, as text: one of `seeds` with 1–4 edits (a node replaced by junk, deleted,
 * duplicated or wrapped in an array).
 */
export function mutatedJson(seeds: readonly unknown[]): fc.Arbitrary<string> {
  const edit = fc.record({
    path: fc.array(fc.nat(), { maxLength: 6 }),
    op: fc.constantFrom('replace' as const, 'replace' as const, 'delete' as const, 'duplicate' as const, 'wrap' as const),
    value: jsonJunk,
  });
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 }))
    .map(([seed, edits]) => JSON.stringify(edits.reduce(editJson, seed)) ?? 'null');
}

/** Tokens worth splicing into JSON-like text. */
export const JSON_TOKENS = [
  '{', '}', '[', ']', '"', ',', ':', '\\', '\n', '\r\n', '\u0000', 'null', 'true', '-1', '1e309', '-0', '0.5',
  '9007199254740993', '{}', '[]', '""', '"\\ud800"', '\uFEFF', '__proto__', '"__proto__":{}', '"constructor"',
];

/** What one target did over its run, for the test's diagnostics and RELIABILITY.md. */
export interface FuzzStats {
  cases: number;
  /** Cases where the reader returned. */
  accepted: number;
  /** Cases where it threw an accepted error. */
  rejected: number;
  /** Slowest case (ms). */
  slowestMs: number;
  /** Wall time of the whole run (s). */
  seconds: number;
}

/**
 * Checks an error thrown for a malformed input: an InputFileError (or subclass: DatasetRecordError) whose message
 * names `file`. Returns null when acceptable, else why not.
 */
export function inputFileProblem(e: unknown, file: string): string | null {
  if (!(e instanceof InputFileError)) return `expected InputFileError, got ${describeError(e)}`;
  if (!e.message.includes(file)) return `message does not name ${file}: ${e.message}`;
  if (e.message.length <= file.length + 4) return `message says nothing after the file name: ${e.message}`;
  return null;
}

/** Name, message and top stack frames of an error, for failure reports. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `a thrown ${typeof e}: ${String(e)}`;
  return `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
}

/**
 * Runs one fuzz target: RUNS inputs from `arb` through `run`. A returned value is checked by `check` (when given;
 * it throws on an invariant violation); a thrown error must pass `problem` (null = acceptable).
 * @returns the run's statistics (also written as test diagnostics)
 * @throws fast-check's failure (seed, path, shrunk counterexample) when a case fails
 */
export async function fuzz<T>(
  t: TestContext,
  arb: fc.Arbitrary<T>,
  run: (input: T) => unknown,
  problem: (e: unknown, input: T) => string | null,
  options: { runs?: number; examples?: T[] } = {},
): Promise<FuzzStats> {
  const stats: FuzzStats = { cases: 0, accepted: 0, rejected: 0, slowestMs: 0, seconds: 0 };
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      stats.cases++;
      if (LAST_INPUT_FILE) writeFileSync(LAST_INPUT_FILE, fc.stringify(input));
      const t0 = performance.now();
      let thrown: unknown = null;
      let ok = false;
      try {
        await run(input);
        ok = true;
      } catch (e) {
        thrown = e;
      }
      const ms = performance.now() - t0;
      stats.slowestMs = Math.max(stats.slowestMs, ms);
      if (ms > HANG_BOUND_MS) throw new Error(`case took ${ms.toFixed(0)} ms (hang bound ${HANG_BOUND_MS} ms)`);
      if (ok) {
        stats.accepted++;
        return;
      }
      const why = problem(thrown, input);
      if (why !== null) throw new Error(why);
      stats.rejected++;
    }),
    { numRuns: options.runs ?? RUNS, seed: SEED, examples: (options.examples ?? []).map((e) => [e] as [T]), endOnFailure: false },
  );
  stats.seconds = (performance.now() - started) / 1000;
  t.diagnostic(
    `${stats.cases} cases: ${stats.accepted} accepted, ${stats.rejected} rejected with a clear error; ` +
      `slowest ${stats.slowestMs.toFixed(1)} ms; ${stats.seconds.toFixed(1)} s`,
  );
  return stats;
}
