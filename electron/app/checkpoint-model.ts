/**
 * Rebuilding a stored model or checkpoint: the base model from its source path, then the checkpoint's changed
 * tensors and keep mask (DESIGN.md §4: a checkpoint = base reference + keep mask + changed tensors).
 */
import { loadModel, type LoadedModel } from '../../engine/io/load-model.ts';
import { restoreTensors } from '../../engine/trim/pipeline.ts';
import { getCheckpoint, getModel, getRun, loadCheckpointTensors, type Database } from '../store/index.ts';

/** The tokenizer path recorded when a model was imported (null when none). */
function tokenizerOf(config: unknown): string | null {
  return (config as { tokenizer?: string | null }).tokenizer ?? null;
}

/**
 * Loads a stored model (by id).
 * @throws Error naming the id when it does not exist; the loader's errors when its files moved or changed
 */
export async function loadStoredModel(db: Database, modelId: number): Promise<LoadedModel> {
  const row = getModel(db, modelId);
  if (!row) throw new Error(`no model ${modelId} in the workspace (see \`trimllm runs\`)`);
  const tokenizer = tokenizerOf(row.config);
  return loadModel(row.source, tokenizer ? { tokenizer } : {});
}

/**
 * Loads checkpoint `checkpointId`: its run's base model with the checkpoint's tensors and keep mask.
 * The result computes bit-identical logits to the model at save time (same backend).
 * @throws Error naming the checkpoint when it does not exist
 */
export async function loadCheckpointModel(db: Database, checkpointId: number): Promise<LoadedModel> {
  const cp = getCheckpoint(db, checkpointId);
  if (!cp) throw new Error(`no checkpoint ${checkpointId} in the workspace (see \`trimllm runs\`)`);
  const run = getRun(db, cp.runId)!;
  const loaded = await loadStoredModel(db, run.modelId);
  try {
    restoreTensors(loaded.model, loadCheckpointTensors(db, checkpointId, 'param'));
    loaded.model.keepMask = [...cp.keepMask];
    return loaded;
  } catch (e) {
    loaded.model.dispose();
    throw e;
  }
}
