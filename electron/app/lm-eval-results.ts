/**
 * Evaluation results in lm-evaluation-harness's results JSON layout (the harness's `main.py --output_path`, v0.3
 * layout: `results` per task with `acc`, `acc_stderr`, `acc_norm`, `acc_norm_stderr`; `versions` per task; a
 * `config` block with model, model_args, num_fewshot, batch_size, device, no_cache, limit, bootstrap_iters and
 * description_dict), so our numbers can sit next to a harness run's. One file per evaluated model.
 */
import type { PlannedCell } from './evaluation-job.ts';

/** One task's entry in `results`: the metrics our evaluator computed (null where the harness writes "N/A"). */
export type LmEvalTaskResult = Record<string, number | null>;

/** A harness results file. */
export interface LmEvalResults {
  results: Record<string, LmEvalTaskResult>;
  /** Task version per task: ours are 0 (the harness's version of a task we did not take from it). */
  versions: Record<string, number>;
  config: {
    model: string;
    model_args: string;
    num_fewshot: number;
    batch_size: number | null;
    batch_sizes: number[];
    device: string;
    no_cache: boolean;
    limit: number | null;
    bootstrap_iters: number;
    description_dict: Record<string, string>;
  };
}

/** A task name the harness would accept: the dataset's name in lower case, runs of other characters as `_`. */
export function lmEvalTaskName(datasetName: string): string {
  return datasetName.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'task';
}

/**
 * The harness results of one model's row of the matrix (cells of one model, each stored).
 * @throws Error when a cell has no stored result or the cells belong to different models
 */
export function toLmEvalResults(row: readonly PlannedCell[], device: string): LmEvalResults {
  const first = row[0];
  if (!first) throw new Error('no evaluation to write');
  const results: Record<string, LmEvalTaskResult> = {};
  const versions: Record<string, number> = {};
  for (const cell of row) {
    if (!cell.stored) throw new Error(`${cell.modelLabel} on ${cell.datasetName} has not been evaluated yet`);
    if (cell.key.modelId !== first.key.modelId || cell.key.checkpointId !== first.key.checkpointId) {
      throw new Error('an lm-eval results file holds one model');
    }
    const task = lmEvalTaskName(cell.datasetName);
    results[task] = { ...cell.stored.metrics };
    versions[task] = 0;
  }
  const args = `model_id=${first.key.modelId}${first.key.checkpointId !== null ? `,checkpoint_id=${first.key.checkpointId}` : ''},split=${first.key.split}`;
  return {
    results, versions,
    config: {
      model: 'trimllm', model_args: args, num_fewshot: 0, batch_size: null, batch_sizes: [], device, no_cache: true,
      limit: first.key.recordLimit, bootstrap_iters: 0, description_dict: {},
    },
  };
}
