// Checkpoints: tensors round-trip bit for bit (NaN payloads, -0, subnormals, several chunks), a checkpoint is
// written in one transaction, and the latest checkpoint of a run is where to resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../../electron/store/db.ts';
import type { Database } from '../../electron/store/driver.ts';
import { insertModel } from '../../electron/store/models.ts';
import { importDataset } from '../../electron/store/datasets.ts';
import { createRun } from '../../electron/store/runs.ts';
import {
  DEFAULT_CHUNK_BYTES,
  type NewCheckpoint,
  type TensorData,
  deleteCheckpoint,
  getCheckpoint,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpointTensors,
  saveCheckpoint,
} from '../../electron/store/checkpoints.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';

function seedRun(db: Database): number {
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: {} });
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'text', mapping: {} }, []);
  return createRun(db, { modelId, datasetId, config: {}, seed: 1 });
}

function count(db: Database, table: string): number {
  return db.prepare<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;
}

/** Float32 values with awkward bit patterns, built from raw bits so nothing canonicalises them. */
function awkwardFloats(): Float32Array {
  const bits = new Uint32Array([
    0x7fc00000, // quiet NaN
    0x7fc00001, // quiet NaN with payload
    0xffc12345, // negative NaN with payload
    0x7f800001, // signalling NaN
    0x80000000, // -0
    0x00000000, // +0
    0x00000001, // smallest subnormal
    0x807fffff, // largest negative subnormal
    0x7f800000, // +Infinity
    0xff800000, // -Infinity
    0x7f7fffff, // largest finite
    0x3f800000, // 1
  ]);
  return new Float32Array(bits.buffer);
}

function bytesOf(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function assertSameTensors(actual: TensorData[], expected: readonly TensorData[]): void {
  assert.deepEqual(actual.map((t) => t.name), expected.map((t) => t.name));
  actual.forEach((t, i) => {
    const e = expected[i]!;
    assert.deepEqual(t.shape, e.shape, t.name);
    assert.ok(t.data instanceof Float32Array);
    assert.equal(t.data.length, e.data.length, t.name);
    assert.ok(bytesOf(t.data).equals(bytesOf(e.data)), `${t.name}: bytes differ`);
  });
}

function checkpoint(runId: number, tensors: TensorData[], extra: Partial<NewCheckpoint> = {}): NewCheckpoint {
  return {
    runId, step: 100, epoch: 1, label: 'drop', keepMask: keepMaskWithout(2, ['mlp1']),
    trainableMask: [true, false, false, false], paramBytes: 1234, tensors, ...extra,
  };
}

test('tensors round-trip bit-identically, across chunk boundaries and from offset views', () => {
  const db = openDatabase(':memory:');
  const runId = seedRun(db);
  const awkward = awkwardFloats();
  const big = new Float32Array(1001); // 4004 bytes: 63 chunks of 64 bytes, the last one partial
  for (let i = 0; i < big.length; i++) big[i] = Math.sin(i) * 1e-39; // many subnormals
  big.set(awkward, 500); // straddles a chunk boundary
  const backing = new Float32Array(40).map((_, i) => i - 20);
  const tensors: TensorData[] = [
    { name: 'awkward', shape: [3, 4], data: awkward },
    { name: 'layers.0.attention.wq', shape: [7, 11, 13], data: big },
    { name: 'offset-view', shape: [2, 8], data: backing.subarray(3, 19) },
    { name: 'exact-chunks', shape: [32], data: new Float32Array(32).fill(-0) },
    { name: 'empty', shape: [0, 5], data: new Float32Array(0) },
    { name: 'scalar', shape: [], data: new Float32Array([Number.EPSILON]) },
  ];
  const id = saveCheckpoint(db, checkpoint(runId, tensors), { chunkBytes: 64 });
  assert.equal(count(db, 'tensor_chunks'), 1 + 63 + 1 + 2 + 0 + 1);

  assertSameTensors(loadCheckpointTensors(db, id), tensors);
  const stored = getCheckpoint(db, id)!;
  assert.deepEqual(stored.keepMask, [true, true, true, false]);
  assert.deepEqual(stored.trainableMask, [true, false, false, false]);
  assert.equal(stored.label, 'drop');
  assert.equal(stored.paramBytes, 1234);
  assert.deepEqual(stored.metrics, {});
  assert.equal(stored.optimizerState, null);
  closeDatabase(db);
});

test('a tensor larger than the default 16 MiB chunk is split and restored exactly', () => {
  const db = openDatabase(':memory:');
  const runId = seedRun(db);
  const n = DEFAULT_CHUNK_BYTES / 4 + 12345; // one full chunk and a bit
  const data = new Float32Array(n);
  const bits = new Uint32Array(data.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5; // xorshift: every bit pattern, NaNs included
    bits[i] = x >>> 0;
  }
  const id = saveCheckpoint(db, checkpoint(runId, [{ name: 'embed', shape: [n], data }]));
  assert.equal(count(db, 'tensor_chunks'), 2);
  const [loaded] = loadCheckpointTensors(db, id);
  assert.ok(bytesOf(loaded!.data).equals(bytesOf(data)));
  closeDatabase(db);
});

test('optimizer tensors and state are kept apart from parameters', () => {
  const db = openDatabase(':memory:');
  const runId = seedRun(db);
  const w = { name: 'w', shape: [2], data: new Float32Array([1, 2]) };
  const m = { name: 'w', shape: [2], data: new Float32Array([0.1, 0.2]) }; // same name, other role
  const id = saveCheckpoint(db, checkpoint(runId, [w], {
    optimizerTensors: [m], optimizerState: { t: 100, beta1: 0.9 }, metrics: { validation: 0.41 },
  }));
  assertSameTensors(loadCheckpointTensors(db, id, 'param'), [w]);
  assertSameTensors(loadCheckpointTensors(db, id, 'optimizer'), [m]);
  assert.deepEqual(getCheckpoint(db, id)!.optimizerState, { t: 100, beta1: 0.9 });
  assert.deepEqual(getCheckpoint(db, id)!.metrics, { validation: 0.41 });
  closeDatabase(db);
});

test('a checkpoint that fails half-way leaves nothing behind', () => {
  const db = openDatabase(':memory:');
  const runId = seedRun(db);
  // Simulate a failure (disk full, kill) while the third chunk of the second tensor is written.
  db.exec(`
    CREATE TEMP TRIGGER fail_chunk BEFORE INSERT ON main.tensor_chunks
    WHEN NEW.chunk = 2 AND (SELECT name FROM main.checkpoint_tensors WHERE id = NEW.tensor_id) = 'second'
    BEGIN SELECT RAISE(ABORT, 'simulated disk full'); END`);
  const tensors = [
    { name: 'first', shape: [64], data: new Float32Array(64).fill(1) },
    { name: 'second', shape: [64], data: new Float32Array(64).fill(2) },
  ];
  assert.throws(() => saveCheckpoint(db, checkpoint(runId, tensors), { chunkBytes: 16 }), /simulated disk full/);
  for (const table of ['checkpoints', 'checkpoint_tensors', 'tensor_chunks']) assert.equal(count(db, table), 0, table);
  assert.equal(latestCheckpoint(db, runId), undefined);

  db.exec('DROP TRIGGER temp.fail_chunk');
  const id = saveCheckpoint(db, checkpoint(runId, tensors), { chunkBytes: 16 });
  assertSameTensors(loadCheckpointTensors(db, id), tensors);
  closeDatabase(db);
});

test('bad input is refused before anything is written', () => {
  const db = openDatabase(':memory:');
  const runId = seedRun(db);
  const ok = { name: 'w', shape: [2], data: new Float32Array(2) };
  assert.throws(() => saveCheckpoint(db, checkpoint(runId, [{ ...ok, shape: [3] }])), /shape \[3\] holds 3 values, data has 2/);
  assert.throws(() => saveCheckpoint(db, checkpoint(runId, [ok, ok])), /param tensor "w" is given twice/);
  assert.throws(() => saveCheckpoint(db, checkpoint(runId, [{ ...ok, shape: [-2] }])), /non-negative integers/);
  assert.throws(() => saveCheckpoint(db, checkpoint(runId, [ok], { trainableMask: [true, true] })), /trainable mask has 2 entries, keep mask 4/);
  assert.throws(() => saveCheckpoint(db, checkpoint(runId, [ok], { keepMask: [true, true, true] })), /2L entries/);
  assert.throws(() => saveCheckpoint(db, checkpoint(runId, [ok]), { chunkBytes: 6 }), /positive multiple of 4/);
  assert.throws(() => saveCheckpoint(db, checkpoint(runId, [ok], { metrics: { acc: Number.NaN } })), /field "acc" is NaN/);
  assert.throws(() => saveCheckpoint(db, checkpoint(999, [ok])), /FOREIGN KEY/);
  assert.throws(() => loadCheckpointTensors(db, 999), /checkpoint 999 does not exist/);
  assert.equal(count(db, 'checkpoints'), 0);
  closeDatabase(db);
});

test('a damaged tensor (missing chunk) is reported, not returned short', () => {
  const db = openDatabase(':memory:');
  const runId = seedRun(db);
  const id = saveCheckpoint(db, checkpoint(runId, [{ name: 'w', shape: [16], data: new Float32Array(16) }]), { chunkBytes: 16 });
  db.prepare('DELETE FROM tensor_chunks WHERE chunk = 1').run();
  assert.throws(() => loadCheckpointTensors(db, id), /tensor "w": chunk 2 is missing, repeated or too long/);
  db.prepare('DELETE FROM tensor_chunks WHERE chunk >= 2').run();
  assert.throws(() => loadCheckpointTensors(db, id), /stored 16 bytes in 1 chunks, expected 64 in 4/);
  closeDatabase(db);
});

test('latestCheckpoint is the highest step, then the last saved; listCheckpoints is in step order', () => {
  const db = openDatabase(':memory:');
  const runId = seedRun(db);
  const other = seedRun(db);
  const at = (step: number, label: string) => saveCheckpoint(db, checkpoint(runId, [], { step, label }));
  const a = at(50, 'drop');
  const c = at(150, 'drop');
  const b = at(100, 'drop');
  const d = at(150, 'healed');
  saveCheckpoint(db, checkpoint(other, [], { step: 999 }));
  assert.equal(latestCheckpoint(db, runId)!.id, d);
  assert.deepEqual(listCheckpoints(db, runId).map((x) => x.id), [a, b, c, d]);
  assert.equal(deleteCheckpoint(db, d), true);
  assert.equal(latestCheckpoint(db, runId)!.id, c);
  assert.equal(latestCheckpoint(db, 12345), undefined);
  closeDatabase(db);
});

test('a checkpoint saved to a file reads back identically after reopening', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-store-'));
  try {
    const path = join(dir, 'state.db');
    let db = openDatabase(path);
    const runId = seedRun(db);
    const tensors = [{ name: 'awkward', shape: [12], data: awkwardFloats() }];
    const id = saveCheckpoint(db, checkpoint(runId, tensors), { chunkBytes: 8 });
    closeDatabase(db);
    db = openDatabase(path);
    assertSameTensors(loadCheckpointTensors(db, id), tensors);
    closeDatabase(db);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('another connection never sees a checkpoint while it is being written (WAL snapshot)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trimllm-store-'));
  try {
    const path = join(dir, 'state.db');
    const writer = openDatabase(path);
    const reader = openDatabase(path, { busyTimeoutSeconds: 0.05 });
    const runId = seedRun(writer);
    const tensors = [{ name: 'w', shape: [256], data: new Float32Array(256).fill(3) }];

    writer.exec('BEGIN IMMEDIATE'); // hold the write open, as a slow save would
    const id = saveCheckpoint(writer, checkpoint(runId, tensors), { chunkBytes: 64 });
    assert.equal(latestCheckpoint(reader, runId), undefined); // the reader is not blocked, and sees nothing
    assert.equal(count(reader, 'tensor_chunks'), 0);
    assert.throws(() => reader.prepare('DELETE FROM checkpoints').run(), /database is locked/); // one writer at a time
    writer.exec('COMMIT');

    assert.equal(latestCheckpoint(reader, runId)!.id, id);
    assertSameTensors(loadCheckpointTensors(reader, id), tensors);
    closeDatabase(reader);
    closeDatabase(writer);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
