/**
 * Repository of base models: where their weights come from, their checksum and parsed config.
 */
import { stmt, type Database } from './driver.ts';
import { fromJsonText, nowSeconds, rowId, toJsonText } from './values.ts';

/** Where a model's weights come from. */
export type ModelSourceKind = 'path' | 'hub';

/** A model to register. */
export interface NewModel {
  /** Display name. */
  name: string;
  /** 'path' for a local file or folder, 'hub' for a Hub repo id. */
  sourceKind: ModelSourceKind;
  /** The local path or the Hub repo id (e.g. `HuggingFaceTB/SmolLM2-135M`). */
  source: string;
  /** Hub revision (branch, tag or commit); null for local files. */
  revision?: string | null;
  /** Weight format, e.g. 'llama2c' or 'safetensors'. */
  format: string;
  /** Architecture name, e.g. 'LlamaForCausalLM'. */
  architecture?: string | null;
  /** Lowercase hex SHA-256 of the weights file(s), when computed. */
  sha256?: string | null;
  /** The parsed model config (any JSON value). */
  config: unknown;
  /** Size of the parameters in bytes, when known. */
  paramBytes?: number | null;
}

/** A registered model. */
export interface ModelRow extends Required<NewModel> {
  id: number;
  /** Seconds since the Unix epoch. */
  createdAt: number;
}

interface Row {
  id: number;
  name: string;
  source_kind: ModelSourceKind;
  source: string;
  revision: string | null;
  format: string;
  architecture: string | null;
  sha256: string | null;
  config: string;
  param_bytes: number | null;
  created_at: number;
}

function toModel(r: Row): ModelRow {
  return {
    id: r.id,
    name: r.name,
    sourceKind: r.source_kind,
    source: r.source,
    revision: r.revision,
    format: r.format,
    architecture: r.architecture,
    sha256: r.sha256,
    config: fromJsonText(r.config, `config of model ${r.id}`),
    paramBytes: r.param_bytes,
    createdAt: r.created_at,
  };
}

/**
 * Registers a model.
 * @returns its id.
 * @throws Error when the config has no JSON form; SqliteError (CHECK) on an empty name/source/format or a
 *   sha256 that is not 64 lowercase hex digits.
 */
export function insertModel(db: Database, model: NewModel): number {
  const result = stmt(
    db,
    `INSERT INTO models (name, source_kind, source, revision, format, architecture, sha256, config, param_bytes,
                         created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    model.name,
    model.sourceKind,
    model.source,
    model.revision ?? null,
    model.format,
    model.architecture ?? null,
    model.sha256 ?? null,
    toJsonText(model.config, 'model config'),
    model.paramBytes ?? null,
    nowSeconds(),
  );
  return rowId(result.lastInsertRowid);
}

/** The model with this id, or undefined. */
export function getModel(db: Database, id: number): ModelRow | undefined {
  const row = stmt<Row>(db, 'SELECT * FROM models WHERE id = ?').get(id);
  return row && toModel(row);
}

/** All models, newest first. */
export function listModels(db: Database): ModelRow[] {
  return stmt<Row>(db, 'SELECT * FROM models ORDER BY id DESC').all().map(toModel);
}

/** Models whose weights have this SHA-256 (to spot a re-import), newest first. */
export function findModelsBySha256(db: Database, sha256: string): ModelRow[] {
  return stmt<Row>(db, 'SELECT * FROM models WHERE sha256 = ? ORDER BY id DESC').all(sha256.toLowerCase()).map(toModel);
}

/**
 * Deletes a model with its evaluations and benchmarks; chats held with it keep their messages.
 * @returns false when there was no such model.
 * @throws Error naming the runs that use it (their checkpoints are deltas on it): delete those runs first.
 */
export function deleteModel(db: Database, id: number): boolean {
  const remove = db.transaction(() => {
    const runs = stmt<{ id: number }>(db, 'SELECT id FROM runs WHERE model_id = ? ORDER BY id').all(id);
    if (runs.length > 0) {
      throw new Error(
        `model ${id} is the base of ${runs.length} run(s) (ids ${runs.map((r) => r.id).join(', ')}); ` +
          'delete those runs first',
      );
    }
    return stmt(db, 'DELETE FROM models WHERE id = ?').run(id).changes > 0;
  });
  return remove.immediate();
}
