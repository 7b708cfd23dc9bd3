// safetensors reader/writer, 16-bit float conversions, pickle refusal and sharded checkpoints (engine/io).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputFileError } from '../../engine/io/errors.ts';
import { bf16ToF32Bits, f16ToF32Bits, f32BitsToBf16, f32BitsToF16 } from '../../engine/io/half-float.ts';
import {
  assertNotPickle, readSafetensors, readTensor, readTensorBytes, writeSafetensors,
} from '../../engine/io/safetensors.ts';
import { openSafetensorsCheckpoint, readShardedIndex } from '../../engine/io/safetensors-sharded.ts';

const dir = mkdtempSync(join(tmpdir(), 'trimllm-safetensors-'));
let counter = 0;
const fresh = (name: string) => join(dir, `${counter++}-${name}`);

/** Writes a safetensors file by hand: u64 header length, header text, data bytes. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): string {
  const path = fresh('raw.safetensors');
  const text = header instanceof Uint8Array ? header : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(text.length));
  writeFileSync(path, Buffer.concat([prefix, text, data]));
  return path;
}

/** Asserts that `fn` throws an InputFileError whose message names `file` and matches `problem`. */
function assertInputError(fn: () => unknown, file: string, problem: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputFileError, `expected InputFileError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.ok(e.message.includes(file), `message does not name the file: ${e.message}`);
    assert.match(e.message, problem);
    return true;
  });
}

const f32 = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
const fromBits = (b: number) => new Float32Array(new Uint32Array([b]).buffer)[0];
const viaBf16 = (x: number) => fromBits(bf16ToF32Bits(f32BitsToBf16(f32(x))));
const viaF16 = (x: number) => fromBits(f16ToF32Bits(f32BitsToF16(f32(x))));

test('F32 round trip keeps every value, shape, metadata; layout is deterministic and 8-byte aligned', () => {
  const special = new Float32Array([0, -0, 1.5, -2.25, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38, Math.PI]);
  const tensors = [
    { name: 'z.weight', shape: [2, 5], data: special },
    { name: 'a.bias', shape: [3], data: new Float32Array([1, 2, 3]) },
    { name: 'scalar', shape: [], data: new Float32Array([7]) },
    { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
  ];
  const path = fresh('f32.safetensors');
  writeSafetensors(path, tensors, { dtype: 'F32', metadata: { format: 'pt' } });
  const file = readSafetensors(path);
  assert.deepEqual(file.metadata, { format: 'pt' });
  assert.deepEqual([...file.tensors.keys()], ['a.bias', 'empty', 'scalar', 'z.weight']);
  assert.equal(file.dataStart % 8, 0);
  const bytes = readFileSync(path);
  const headerText = bytes.subarray(8, file.dataStart).toString('utf8');
  assert.match(headerText, /^\{"__metadata__":\{"format":"pt"\},"a.bias":.*\} *$/); // metadata first, space padding
  for (const t of tensors) {
    const got = readTensor(file, t.name);
    assert.equal(got.dtype, 'F32');
    assert.deepEqual(got.shape, t.shape);
    assert.deepEqual([...got.data].map((x) => Object.is(x, -0) ? '-0' : x), [...t.data].map((x) => Object.is(x, -0) ? '-0' : x));
  }
  const again = fresh('f32.safetensors');
  writeSafetensors(again, [...tensors].reverse(), { dtype: 'F32', metadata: { format: 'pt' } });
  assert.deepEqual(readFileSync(again), bytes);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
});

test('BF16 rounds to nearest even, keeps NaN and infinities', () => {
  assert.equal(viaBf16(1.00390625), 1); // 1 + 2^-8: halfway, even neighbour is 1
  assert.equal(viaBf16(1.01171875), 1.015625); // 1 + 3·2^-8: halfway, even neighbour is 1 + 2^-6
  assert.equal(viaBf16(Math.fround(1.00390625 + 2 ** -20)), 1.0078125); // just above halfway
  assert.equal(viaBf16(-1.00390625), -1);
  assert.equal(viaBf16(3.4028234663852886e38), Infinity);
  assert.equal(viaBf16(-Infinity), -Infinity);
  assert.ok(Number.isNaN(viaBf16(NaN)));
  assert.ok(Number.isNaN(fromBits(bf16ToF32Bits(f32BitsToBf16(0x7f800001))))); // signalling NaN stays NaN
  const path = fresh('bf16.safetensors');
  writeSafetensors(path, [{ name: 'w', shape: [2, 2], data: new Float32Array([1.00390625, 1.01171875, NaN, -3]) }], { dtype: 'BF16' });
  const t = readTensor(readSafetensors(path), 'w');
  assert.equal(t.dtype, 'BF16');
  assert.deepEqual([t.data[0], t.data[1], t.data[3]], [1, 1.015625, -3]);
  assert.ok(Number.isNaN(t.data[2]));
});

test('F16 rounds to nearest even, handles subnormals, overflow and NaN; every F16/BF16 pattern survives widen + narrow', () => {
  assert.equal(viaF16(1 + 2 ** -11), 1);
  assert.equal(viaF16(1 + 3 * 2 ** -11), 1 + 2 ** -9);
  assert.equal(viaF16(65504), 65504);
  assert.equal(viaF16(65519), 65504);
  assert.equal(viaF16(65520), Infinity);
  assert.equal(viaF16(2 ** -20), 2 ** -20); // subnormal, exact
  assert.equal(viaF16(2 ** -25), 0); // halfway to the smallest subnormal: even is 0
  assert.equal(viaF16(1.5 * 2 ** -25), 2 ** -24);
  assert.equal(viaF16(3 * 2 ** -25), 2 ** -23); // halfway between 1 and 2 units: even is 2
  assert.equal(viaF16(2 ** -14 - 2 ** -25), 2 ** -14); // rounds up into the normals
  assert.ok(Number.isNaN(viaF16(NaN)));
  for (let h = 0; h < 0x10000; h++) {
    const back = f32BitsToF16(f16ToF32Bits(h));
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) assert.equal(back & 0x7e00, 0x7e00);
    else assert.equal(back, h, `f16 pattern ${h.toString(16)}`);
    const bf = f32BitsToBf16(bf16ToF32Bits(h));
    if ((h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0) assert.equal(bf & 0x7fc0, 0x7fc0);
    else assert.equal(bf, h, `bf16 pattern ${h.toString(16)}`);
  }
  const path = fresh('f16.safetensors');
  const data = new Float32Array([0.5, -2, 65504, 2 ** -24]);
  writeSafetensors(path, [{ name: 'w', shape: [4], data }], { dtype: 'F16' });
  assert.deepEqual(readTensor(readSafetensors(path), 'w').data, data);
});

test('non-float tensors are readable as bytes but refused as float32', () => {
  const data = new Uint8Array(new BigInt64Array([5n, -1n]).buffer);
  const path = rawFile({ ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data);
  const file = readSafetensors(path);
  assert.deepEqual(new BigInt64Array(readTensorBytes(file, 'ids').buffer, 0, 2), new BigInt64Array([5n, -1n]));
  assertInputError(() => readTensor(file, 'ids'), path, /tensor "ids" has dtype I64; only F32, F16, BF16/);
  assertInputError(() => readTensor(file, 'nope'), path, /no tensor "nope"/);
  const f64 = rawFile({ x: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } }, new Uint8Array(new Float64Array([0.1, -2]).buffer));
  assert.deepEqual([...readTensor(readSafetensors(f64), 'x').data], [Math.fround(0.1), -2]);
});

test('writer refuses data that does not match its shape and leaves the target untouched', () => {
  const path = fresh('keep.safetensors');
  writeSafetensors(path, [{ name: 'w', shape: [1], data: new Float32Array([1]) }], { dtype: 'F32' });
  const before = readFileSync(path);
  assert.throws(() => writeSafetensors(path, [{ name: 'w', shape: [3], data: new Float32Array(2) }], { dtype: 'F32' }), /tensor "w" has 2 elements/);
  assert.throws(() => writeSafetensors(path, [{ name: 'w', shape: [1], data: new Float32Array(1) }, { name: 'w', shape: [1], data: new Float32Array(1) }], { dtype: 'F32' }), /repeated/);
  assert.deepEqual(readFileSync(path), before);
});

test('a valid header of 640 bytes (80 02 00 … like a pickle protocol prefix) is not mistaken for a pickle', () => {
  const header = JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }).padEnd(640, ' ');
  const path = rawFile(header, new Uint8Array(4));
  assert.equal(readFileSync(path)[0], 0x80);
  assert.equal(readSafetensors(path).tensors.size, 1);
});

// ---- malformed input: each is an InputFileError naming the file and the problem ----
const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
const malformed: [string, () => string, RegExp][] = [
  ['empty file', () => { const p = fresh('e'); writeFileSync(p, ''); return p; }, /file is empty/],
  ['file shorter than 8 bytes', () => { const p = fresh('s'); writeFileSync(p, Buffer.from([1, 2, 3, 4, 5])); return p; }, /5 bytes, shorter than the 8-byte/],
  ['header length beyond the file', () => rawFile('{}', undefined, 1000n), /header length 1000 goes beyond the end of the file \(10 bytes\)/],
  ['header length too small', () => rawFile('{}', undefined, 1n), /header length 1 is too small/],
  ['header length u64 huge', () => rawFile('{}', undefined, 2n ** 63n + 5n), /exceeds the 100000000-byte limit/],
  ['header not JSON', () => rawFile('{"w": nope}'), /header is not valid UTF-8 JSON/],
  ['header not UTF-8', () => rawFile(Buffer.from('{"\xff": {}}', 'latin1')), /header is not valid UTF-8 JSON: The encoded data was not valid/],
  ['header JSON an array', () => rawFile('[1,2]'), /header JSON must be an object, got an array/],
  ['header JSON null', () => rawFile('null '), /header JSON must be an object, got null/],
  ['entry not an object', () => rawFile({ w: 5 }), /tensor "w": header entry is not an object/],
  ['unknown dtype', () => rawFile({ w: entry('F33', [1], [0, 4]) }, new Uint8Array(4)), /tensor "w": unknown dtype "F33"/],
  ['shape not integers', () => rawFile({ w: entry('F32', [1.5], [0, 4]) }, new Uint8Array(4)), /tensor "w": shape must be an array of non-negative integers, got \[1.5\]/],
  ['shape negative', () => rawFile({ w: entry('F32', [-1], [0, 4]) }, new Uint8Array(4)), /tensor "w": shape must be an array of non-negative integers/],
  ['shape not an array', () => rawFile({ w: entry('F32', '2', [0, 4]) }, new Uint8Array(4)), /tensor "w": shape must be an array/],
  ['shape product overflows', () => rawFile({ w: entry('F32', [2 ** 40, 2 ** 40], [0, 4]) }, new Uint8Array(4)), /tensor "w": shape \[.*\] has too many elements/],
  ['size mismatch', () => rawFile({ w: entry('F32', [2, 2], [0, 8]) }, new Uint8Array(8)), /tensor "w": data_offsets \[0, 8\] span 8 bytes but F32 shape \[2,2\] needs 16/],
  ['offsets beyond buffer', () => rawFile({ w: entry('F32', [4], [0, 16]) }, new Uint8Array(8)), /tensor "w": data_offsets \[0, 16\] go beyond the data buffer \(8 bytes/],
  ['negative offsets', () => rawFile({ w: entry('F32', [1], [-4, 0]) }, new Uint8Array(4)), /tensor "w": data_offsets must be two non-negative integers/],
  ['huge offsets', () => rawFile({ w: entry('F32', [1], [1e20, 1e20 + 4]) }, new Uint8Array(4)), /tensor "w": data_offsets must be two non-negative integers/],
  ['offsets not a pair', () => rawFile({ w: entry('F32', [1], [0]) }, new Uint8Array(4)), /tensor "w": data_offsets must be two/],
  ['offsets reversed', () => rawFile({ w: entry('F32', [0], [4, 0]) }, new Uint8Array(4)), /tensor "w": data_offsets \[4, 0\] end before they begin/],
  ['overlapping tensors', () => rawFile({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, new Uint8Array(12)), /tensor "b" \[4, 12\) overlaps tensor "a" \[0, 8\)/],
  ['gap between tensors', () => rawFile({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }, new Uint8Array(12)), /bytes \[4, 8\) belong to no tensor \(gap before tensor "b"\)/],
  ['trailing bytes', () => rawFile({ a: entry('F32', [1], [0, 4]) }, new Uint8Array(9)), /data buffer is 9 bytes but tensors cover only \[0, 4\)/],
  ['metadata value not a string', () => rawFile({ __metadata__: { step: 5 } }), /__metadata__ "step" must be a string/],
  ['truncated file (buffer cut)', () => {
    const p = fresh('cut.safetensors');
    writeSafetensors(p, [{ name: 'a', shape: [4], data: new Float32Array(4) }, { name: 'b', shape: [4], data: new Float32Array(4) }], { dtype: 'F32' });
    truncateSync(p, readFileSync(p).length - 6);
    return p;
  }, /tensor "b": data_offsets \[16, 32\] go beyond the data buffer \(26 bytes; is the file truncated\?\)/],
];
for (const [name, make, problem] of malformed) {
  test(`malformed: ${name}`, () => {
    const path = make();
    assertInputError(() => readSafetensors(path), path, problem);
  });
}

test('a missing file is an InputFileError naming it', () => {
  const path = join(dir, 'absent.safetensors');
  assertInputError(() => readSafetensors(path), path, /cannot open/);
});

// ---- pickle refusal ----
function zipPickle(): string {
  const p = fresh('pytorch_model.bin');
  const name = Buffer.from('archive/data.pkl');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(name.length, 26);
  writeFileSync(p, Buffer.concat([local, name, Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e])]));
  return p;
}
const pickleCases: [string, () => string, RegExp][] = [
  ['zip pickle (torch ≥ 1.6)', zipPickle, /is a PyTorch pickle checkpoint \(zip archive with data.pkl\); pickle files can run code and are never loaded. Convert it to safetensors/],
  ['raw pickle protocol 2 (legacy torch.save)', () => { const p = fresh('model.pt'); writeFileSync(p, Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8])); return p; }, /is a PyTorch pickle checkpoint \(raw pickle stream\)/],
  ['raw pickle protocol 4', () => { const p = fresh('model.pth'); writeFileSync(p, Buffer.from([0x80, 0x04, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x7d, 0x94, 0x2e])); return p; }, /PyTorch pickle checkpoint/],
];
for (const [name, make, problem] of pickleCases) {
  test(`pickle refused: ${name}`, () => {
    const path = make();
    assertInputError(() => assertNotPickle(path), path, problem);
    assertInputError(() => readSafetensors(path), path, problem);
  });
}

test('llama2.c checkpoints are not taken for pickles (real stories260K and a dim=640 header, 80 02 00 00)', () => {
  assertNotPickle(fileURLToPath(new URL('../../../shared/models/stories260K/stories260K.bin', import.meta.url)));
  const p = fresh('dim640.bin');
  writeFileSync(p, Buffer.from(new Int32Array([640, 1728, 8, 10, 10, 32000, 512, 0]).buffer));
  assertNotPickle(p);
});

// ---- sharded checkpoints ----
function shardedDir(weightMap: Record<string, unknown> | string): string {
  const d = mkdtempSync(join(dir, 'sharded-'));
  writeSafetensors(join(d, 'model-00001-of-00002.safetensors'), [{ name: 'embed', shape: [2], data: new Float32Array([1, 2]) }], { dtype: 'F32' });
  writeSafetensors(join(d, 'model-00002-of-00002.safetensors'), [{ name: 'head', shape: [1, 2], data: new Float32Array([3, 4]) }], { dtype: 'BF16' });
  const text = typeof weightMap === 'string' ? weightMap : JSON.stringify({ metadata: { total_size: 12 }, weight_map: weightMap });
  writeFileSync(join(d, 'model.safetensors.index.json'), text);
  return d;
}
const goodMap = { embed: 'model-00001-of-00002.safetensors', head: 'model-00002-of-00002.safetensors' };

test('sharded checkpoint: index read, tensors reached by name across shards', () => {
  const d = shardedDir(goodMap);
  const index = readShardedIndex(d);
  assert.deepEqual(index.metadata, { total_size: 12 });
  assert.equal(index.shards.length, 2);
  const ckpt = openSafetensorsCheckpoint(d);
  assert.deepEqual(ckpt.names().sort(), ['embed', 'head']);
  assert.deepEqual([...ckpt.read('embed').data], [1, 2]);
  const head = ckpt.read('head');
  assert.deepEqual([head.dtype, head.shape, [...head.data]], ['BF16', [1, 2], [3, 4]]);
  assert.equal(ckpt.info('head').file.path, join(d, 'model-00002-of-00002.safetensors'));
  assertInputError(() => ckpt.read('missing'), d, /checkpoint has no tensor "missing"/);
});

test('single-file checkpoint folder and lone file', () => {
  const d = mkdtempSync(join(dir, 'single-'));
  writeSafetensors(join(d, 'model.safetensors'), [{ name: 'w', shape: [1], data: new Float32Array([9]) }], { dtype: 'F16' });
  assert.deepEqual([...openSafetensorsCheckpoint(d).read('w').data], [9]);
  assert.ok(openSafetensorsCheckpoint(join(d, 'model.safetensors')).has('w'));
});

const shardedBad: [string, () => string, RegExp][] = [
  ['shard outside the folder (../)', () => shardedDir({ ...goodMap, head: '../model-00002-of-00002.safetensors' }), /tensor "head" names shard "..\/model-00002-of-00002.safetensors", which is not a file inside the folder/],
  ['shard with an absolute path', () => shardedDir({ ...goodMap, head: '/etc/passwd' }), /names shard "\/etc\/passwd", which is not a file inside the folder/],
  ['shard escaping through a subfolder', () => shardedDir({ ...goodMap, head: 'sub/../../x.safetensors' }), /not a file inside the folder/],
  ['missing shard', () => shardedDir({ ...goodMap, head: 'model-00003-of-00003.safetensors' }), /names shard "model-00003-of-00003.safetensors" \(for tensor "head"\), which does not exist/],
  ['index not JSON', () => shardedDir('{weight_map:'), /shard index is not valid JSON/],
  ['index without weight_map', () => shardedDir(JSON.stringify({ metadata: {} })), /"weight_map" is missing or not an object/],
  ['shard name not a string', () => shardedDir({ ...goodMap, head: 2 }), /weight_map entry for tensor "head" must be a file name/],
];
for (const [name, make, problem] of shardedBad) {
  test(`sharded index refused: ${name}`, () => {
    const d = make();
    const index = join(d, 'model.safetensors.index.json');
    assertInputError(() => readShardedIndex(d), index, problem);
    assertInputError(() => openSafetensorsCheckpoint(d), index, problem);
  });
}

test('sharded index mapping a tensor to a shard that lacks it', () => {
  const d = shardedDir({ ...goodMap, head: goodMap.embed });
  assertInputError(() => openSafetensorsCheckpoint(d), join(d, 'model.safetensors.index.json'), /puts tensor "head" in .*model-00001-of-00002.safetensors, which has no such tensor/);
});

test('a folder holding only a pickle checkpoint is refused as such; an empty folder says what is missing', () => {
  const d = mkdtempSync(join(dir, 'pickle-'));
  mkdirSync(join(d, 'sub'));
  const pickle = zipPickle();
  writeFileSync(join(d, 'pytorch_model.bin'), readFileSync(pickle));
  assertInputError(() => openSafetensorsCheckpoint(d), join(d, 'pytorch_model.bin'), /PyTorch pickle checkpoint/);
  const empty = join(d, 'sub');
  assertInputError(() => openSafetensorsCheckpoint(empty), empty, /no model.safetensors or model.safetensors.index.json/);
});
