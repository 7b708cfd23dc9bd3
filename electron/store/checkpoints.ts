/**
 * Repository of checkpoints (DESIGN.md §4): a checkpoint is its run's base model + a keep mask + the tensors that
 * differ from the base model, written in ONE transaction so a killed process never leaves half a checkpoint.
 *
 * Tensors cross this boundary as plain `{name, shape, data: Float32Array}` (no tfjs here). Their bytes are stored
 * little-endian, split into chunks of at most `chunkBytes` (SQLite's default BLOB limit is 1 GB), and read back
 * bit for bit: NaN payloads, -0 and subnormals survive.
 */
import { endianness } from 'node:os';
import type { KeepMask } from '../../engine/model/sublayers.ts';
import { stmt, type Database } from './driver.ts';
import { fromJsonText, maskFromJson, maskToJson, nowSeconds, rowId, toJsonText } from './values.ts';

/** A tensor as it crosses the store's boundary. `data.length` is the product of `shape`. */
export interface TensorData {
  /** Parameter name, e.g. `layers.3.attention.wq` (free-form; unique per role within a checkpoint). */
  name: string;
  /** Dimensions; `[]` for a scalar. */
  shape: number[];
  /** Values, row-major. */
  data: Float32Array;
}

/** What a stored tensor is: a weight that differs from the base model, or optimizer state for resuming. */
export type TensorRole = 'param' | 'optimizer';

/** Default size of one BLOB chunk: 16 MiB. */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;

/** A checkpoint to save. */
export interface NewCheckpoint {
  runId: number;
  /** Optimizer step at which it was taken. */
  step: number;
  /** Epoch (0-based) at which it was taken. */
  epoch: number;
  /** What it marks, e.g. 'drop', 'healed', 'final'. */
  label?: string;
  /** Remaining sub-layers (2L entries). */
  keepMask: KeepMask;
  /** Sub-layers being trained (2L entries, same length as keepMask). */
  trainableMask: readonly boolean[];
  /** Measurements at this point, e.g. validation performance (any JSON value; default {}). */
  metrics?: unknown;
  /** Parameter bytes of the trimmed model (kept sub-layers + embeddings/head). */
  paramBytes: number;
  /** Scalar optimizer state for resuming, e.g. `{t: 1200}` (any JSON value). */
  optimizerState?: unknown;
  /** The schedule's state to resume from (any JSON value; the app validates it when read). */
  resumeState?: unknown;
  /** Weights that differ from the base model. */
  tensors: readonly TensorData[];
  /** Optimizer moment tensors for resuming (e.g. AdamW m and v). */
  optimizerTensors?: readonly TensorData[];
}

/** A stored checkpoint (without its tensors: see loadCheckpointTensors). */
export interface CheckpointRow {
  id: number;
  runId: number;
  step: number;
  epoch: number;
  label: string;
  keepMask: KeepMask;
  trainableMask: KeepMask;
  metrics: unknown;
  paramBytes: number;
  /** null when none was saved. */
  optimizerState: unknown;
  /** The schedule's state to resume from; null when none was saved. */
  resumeState: unknown;
  /** Seconds since the Unix epoch. */
  createdAt: number;
}

interface Row {
  id: number;
  run_id: number;
  step: number;
  epoch: number;
  label: string;
  keep_mask: string;
  trainable_mask: string;
  metrics: string;
  param_bytes: number;
  optimizer_state: string | null;
  resume_state: string | null;
  created_at: number;
}

/** Checkpoints of a run in step order. Exported so a test can check its plan uses `checkpoints_by_run`. */
export const CHECKPOINTS_BY_RUN_SQL = 'SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step, id';

/** The latest checkpoint of a run (highest step, then last saved). Exported for the query-plan test. */
export const LATEST_CHECKPOINT_SQL = 'SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step DESC, id DESC LIMIT 1';

function toCheckpoint(r: Row): CheckpointRow {
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    epoch: r.epoch,
    label: r.label,
    keepMask: maskFromJson(r.keep_mask, `keep mask of checkpoint ${r.id}`),
    trainableMask: maskFromJson(r.trainable_mask, `trainable mask of checkpoint ${r.id}`),
    metrics: fromJsonText(r.metrics, `metrics of checkpoint ${r.id}`),
    paramBytes: r.param_bytes,
    optimizerState: r.optimizer_state === null ? null : fromJsonText(r.optimizer_state, 'optimizer state'),
    resumeState: r.resume_state === null ? null : fromJsonText(r.resume_state, `resume state of checkpoint ${r.id}`),
    createdAt: r.created_at,
  };
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('checkpoint tensors are stored little-endian; this machine is big-endian');
}

function checkTensors(tensors: readonly TensorData[], role: TensorRole): void {
  const names = new Set<string>();
  for (const t of tensors) {
    if (typeof t.name !== 'string' || t.name === '') throw new Error(`a ${role} tensor has an empty name`);
    if (names.has(t.name)) throw new Error(`${role} tensor "${t.name}" is given twice`);
    names.add(t.name);
    if (!(t.data instanceof Float32Array)) throw new Error(`tensor "${t.name}": data must be a Float32Array`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`tensor "${t.name}": shape [${t.shape.join(', ')}] must hold non-negative integers`);
    }
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) {
      throw new Error(`tensor "${t.name}": shape [${t.shape.join(', ')}] holds ${size} values, data has ${t.data.length}`);
    }
  }
}

/**
 * Saves a checkpoint with all its tensors in ONE transaction.
 * @param options.chunkBytes largest BLOB chunk in bytes (default 16 MiB; a positive multiple of 4).
 * @returns the checkpoint's id.
 * @throws Error on masks of different or odd lengths, a tensor whose shape does not match its data, a duplicate
 *   tensor name, metrics with no JSON form, or a bad chunk size; SqliteError (FOREIGN KEY) when the run does not
 *   exist. Nothing is written when it throws.
 */
export function saveCheckpoint(db: Database, checkpoint: NewCheckpoint, options: { chunkBytes?: number } = {}): number {
  assertLittleEndian();
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0 || chunkBytes % 4 !== 0) {
    throw new Error(`chunkBytes must be a positive multiple of 4, got ${chunkBytes}`);
  }
  const keepMask = maskToJson(checkpoint.keepMask, 'keep mask');
  const trainableMask = maskToJson(checkpoint.trainableMask, 'trainable mask');
  if (checkpoint.keepMask.length !== checkpoint.trainableMask.length) {
    throw new Error(
      `trainable mask has ${checkpoint.trainableMask.length} entries, keep mask ${checkpoint.keepMask.length}`,
    );
  }
  const groups: [TensorRole, readonly TensorData[]][] = [
    ['param', checkpoint.tensors],
    ['optimizer', checkpoint.optimizerTensors ?? []],
  ];
  for (const [role, tensors] of groups) checkTensors(tensors, role);
  const metrics = toJsonText(checkpoint.metrics ?? {}, 'checkpoint metrics');
  const optimizerState =
    checkpoint.optimizerState === undefined || checkpoint.optimizerState === null
      ? null
      : toJsonText(checkpoint.optimizerState, 'optimizer state');
  const resumeState = checkpoint.resumeState === undefined ? null : toJsonText(checkpoint.resumeState, 'resume state');

  const insertTensor = stmt(
    db,
    `INSERT INTO checkpoint_tensors (checkpoint_id, role, name, dtype, shape, byte_length, chunk_count)
     VALUES (?, ?, ?, 'float32', ?, ?, ?)`,
  );
  const insertChunk = stmt(db, 'INSERT INTO tensor_chunks (tensor_id, chunk, data) VALUES (?, ?, ?)');
  const write = db.transaction(() => {
    const id = rowId(
      stmt(
        db,
        `INSERT INTO checkpoints (run_id, step, epoch, label, keep_mask, trainable_mask, metrics, param_bytes,
                                  optimizer_state, resume_state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(checkpoint.runId, checkpoint.step, checkpoint.epoch, checkpoint.label ?? '', keepMask, trainableMask,
        metrics, checkpoint.paramBytes, optimizerState, resumeState, nowSeconds()).lastInsertRowid,
    );
    for (const [role, tensors] of groups) {
      for (const t of tensors) {
        const byteLength = t.data.byteLength;
        const chunkCount = Math.ceil(byteLength / chunkBytes);
        const tensorId = rowId(
          insertTensor.run(id, role, t.name, JSON.stringify(t.shape), byteLength, chunkCount).lastInsertRowid,
        );
        for (let chunk = 0; chunk < chunkCount; chunk++) {
          const start = chunk * chunkBytes;
          const length = Math.min(chunkBytes, byteLength - start);
          // A view on the tensor's own memory: the driver copies it into SQLite, no intermediate copy here.
          insertChunk.run(tensorId, chunk, Buffer.from(t.data.buffer, t.data.byteOffset + start, length));
        }
      }
    }
    return id;
  });
  return write.immediate();
}

/** The checkpoint with this id (without tensors), or undefined. */
export function getCheckpoint(db: Database, id: number): CheckpointRow | undefined {
  const row = stmt<Row>(db, 'SELECT * FROM checkpoints WHERE id = ?').get(id);
  return row && toCheckpoint(row);
}

/** Checkpoints of a run in step order (without tensors). */
export function listCheckpoints(db: Database, runId: number): CheckpointRow[] {
  return stmt<Row>(db, CHECKPOINTS_BY_RUN_SQL).all(runId).map(toCheckpoint);
}

/** The run's checkpoint with the highest step (the last saved among equals), or undefined: where to resume. */
export function latestCheckpoint(db: Database, runId: number): CheckpointRow | undefined {
  const row = stmt<Row>(db, LATEST_CHECKPOINT_SQL).get(runId);
  return row && toCheckpoint(row);
}

/**
 * Reads back a checkpoint's tensors of one role, in the order they were saved, with their exact bytes. Reads one
 * consistent snapshot.
 * @throws Error when the checkpoint does not exist, or a tensor's stored chunks do not add up to its recorded
 *   size (a damaged file).
 */
export function loadCheckpointTensors(db: Database, checkpointId: number, role: TensorRole = 'param'): TensorData[] {
  assertLittleEndian();
  const read = db.transaction(() => {
    if (!stmt(db, 'SELECT 1 FROM checkpoints WHERE id = ?').get(checkpointId)) {
      throw new Error(`checkpoint ${checkpointId} does not exist`);
    }
    const tensors = stmt<{ id: number; name: string; shape: string; byte_length: number; chunk_count: number }>(
      db,
      `SELECT id, name, shape, byte_length, chunk_count FROM checkpoint_tensors
       WHERE checkpoint_id = ? AND role = ? ORDER BY id`,
    ).all(checkpointId, role);
    const chunks = stmt<{ chunk: number; data: Uint8Array }>(
      db,
      'SELECT chunk, data FROM tensor_chunks WHERE tensor_id = ? ORDER BY chunk',
    );
    return tensors.map((t): TensorData => {
      const where = `checkpoint ${checkpointId}, tensor "${t.name}"`;
      if (t.byte_length % 4 !== 0) throw new Error(`${where}: ${t.byte_length} bytes is not a whole float32 count`);
      const data = new Float32Array(t.byte_length / 4);
      const bytes = new Uint8Array(data.buffer);
      let offset = 0;
      let expected = 0;
      for (const c of chunks.iterate(t.id)) {
        if (c.chunk !== expected || offset + c.data.byteLength > t.byte_length) {
          throw new Error(`${where}: chunk ${c.chunk} is missing, repeated or too long`);
        }
        bytes.set(c.data, offset);
        offset += c.data.byteLength;
        expected++;
      }
      if (expected !== t.chunk_count || offset !== t.byte_length) {
        throw new Error(`${where}: stored ${offset} bytes in ${expected} chunks, expected ${t.byte_length} in ${t.chunk_count}`);
      }
      const shape = fromJsonText(t.shape, `shape of ${where}`) as number[];
      return { name: t.name, shape, data };
    });
  });
  return read.deferred();
}

/**
 * Deletes a checkpoint with its tensors (cascade) and its evaluations and benchmarks. Call vacuum() afterwards to
 * give the space back.
 * @returns false when there was no such checkpoint.
 */
export function deleteCheckpoint(db: Database, id: number): boolean {
  return stmt(db, 'DELETE FROM checkpoints WHERE id = ?').run(id).changes > 0;
}
