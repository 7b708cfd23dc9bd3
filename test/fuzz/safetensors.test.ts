// Fuzz: the safetensors header reader (engine/io/safetensors.ts parseSafetensors) on malformed files — byte
// mutations of valid small files, nasty header length fields (2 GB, 2^63, 2^64 − 1, past the end), generated
// headers with junk dtypes/shapes/offsets, truncation. Every case returns a checked header or throws an
// InputFileError naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSafetensors, type SafetensorsFile } from '../../engine/io/safetensors.ts';
import { fuzz, inputFileProblem, JSON_TOKENS, mutatedBytes, NASTY_U64 } from './harness.ts';

const FILE = 'fuzz/model.safetensors';

/** A safetensors file: u64 little-endian header length, the header text, then `dataBytes` data bytes. */
function file(header: unknown, dataBytes: number, headerLength?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(text.length), true);
  out.set(text, 8);
  for (let i = 0; i < dataBytes; i++) out[8 + text.length + i] = (i * 37) & 0xff;
  return out;
}

const VALID = [
  file({ __metadata__: { format: 'pt' }, a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] }, b: { dtype: 'BF16', shape: [4], data_offsets: [24, 32] } }, 32),
  file({ 'model.norm.weight': { dtype: 'F16', shape: [8], data_offsets: [0, 16] }, s: { dtype: 'I64', shape: [], data_offsets: [16, 24] } }, 24),
  file({}, 0),
];

/** Invariants of an accepted file: spans inside the buffer, contiguous, sized by shape × dtype. */
function checkAccepted(f: SafetensorsFile, bytes: Uint8Array): void {
  assert.equal(f.fileSize, bytes.length);
  let covered = 0;
  for (const t of [...f.tensors.values()].sort((a, b) => a.begin - b.begin)) {
    assert.equal(t.begin, covered);
    covered = t.end;
  }
  assert.equal(f.dataStart + covered, bytes.length);
}

const dtype = fc.oneof(fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL'), fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }));
const dim = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(-1, 0.5, 2 ** 31, 2 ** 53, 1e308, Number.MAX_SAFE_INTEGER), fc.jsonValue({ maxDepth: 0 }));
const offset = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(-1, 1.5, 2 ** 32, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER), fc.jsonValue({ maxDepth: 0 }));
const entry = fc.oneof(
  { weight: 8, arbitrary: fc.record({ dtype, shape: fc.oneof(fc.array(dim, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })), data_offsets: fc.oneof(fc.tuple(offset, offset), fc.array(offset, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })) }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const name = fc.oneof(fc.constantFrom('a', 'b', '__metadata__', '__proto__', 'constructor', ''), fc.string({ maxLength: 8 }));
/** A generated header (mostly near-valid entries) with a data buffer of a random size. */
const generated = fc
  .tuple(fc.dictionary(name, entry, { maxKeys: 4 }), fc.integer({ min: 0, max: 80 }), fc.option(fc.constantFrom(...NASTY_U64), { freq: 5 }))
  .map(([header, data, length]) => file(header, data, length ?? undefined));
/** A valid file whose header length field is replaced by a nasty value (2 GB, 2^63, past the end, …). */
const badLength = fc
  .tuple(fc.constantFrom(...VALID), fc.oneof(fc.constantFrom(...NASTY_U64), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })))
  .map(([v, n]) => {
    const out = Uint8Array.from(v);
    new DataView(out.buffer).setBigUint64(0, n, true);
    return out;
  });

test('fuzz: safetensors header reader — malformed files are refused with an InputFileError naming the file', { timeout: 120_000 }, async (t) => {
  const arb = fc.oneof({ weight: 5, arbitrary: mutatedBytes(VALID, JSON_TOKENS) }, { weight: 3, arbitrary: generated }, { weight: 1, arbitrary: badLength });
  const stats = await fuzz(t, arb, (bytes) => checkAccepted(parseSafetensors(bytes, FILE), bytes), (e) => inputFileProblem(e, FILE));
  assert.ok(stats.rejected > stats.cases / 2, 'most generated inputs are malformed');
  assert.ok(stats.accepted > 0, 'some inputs stay valid (the generator is not all junk)');
});
