/**
 * The estimate before a run for the app and the CLI: loads a stored model and dataset as the run would
 * (prepareRunTask, baseLoader), measures and predicts with the engine's planRun, and shapes the answer of the
 * API's runs.estimate (numbers and plain words).
 */
import { resolveThreads } from '../../engine/parallel/threads.ts';
import { describePhases, describePlan, planFits, planRun, type RunPlan } from '../../engine/trim/plan.ts';
import type { Response } from '../api/contract.ts';
import type { Database, DatasetRow, ModelRow } from '../store/index.ts';
import { baseLoader, prepareRunTask } from './execute-run.ts';
import type { StoredRunConfig } from './run-config.ts';

/**
 * Measures run settings `config` of model `modelRow` on `dataset` on this machine (a few seconds on small
 * models) and predicts the run. Notes of the data preparation (truncated examples …) and worker threads that did
 * not start go to `onNote`.
 * @throws the errors of prepareRunTask (no tokenizer, data that does not fit the task) and planRun (no
 *   training example or no test item)
 */
export async function planStoredRun(
  db: Database, modelRow: ModelRow, dataset: DatasetRow, config: StoredRunConfig, options: { repeats?: number; onNote?: (note: string) => void } = {},
): Promise<RunPlan> {
  const { tokenizer, task, ggufTokenizer } = await prepareRunTask(db, modelRow, dataset, config);
  for (const note of task.notes) options.onNote?.(note);
  const model = await baseLoader(modelRow)();
  try {
    return await planRun(model, tokenizer, task, config, {
      threads: resolveThreads(), ...(options.repeats !== undefined ? { repeats: options.repeats } : {}),
      ...(options.onNote ? { onMessage: options.onNote } : {}), ...(ggufTokenizer ? { ggufTokenizer } : {}),
    });
  } finally {
    model.dispose();
  }
}

/** The API's runs.estimate answer of a plan. */
export function estimateView(plan: RunPlan): Response<'runs.estimate'> {
  const e = plan.estimate;
  return {
    seconds: e.seconds, uncertainty: e.uncertainty, dominant: e.dominant,
    phases: e.phases.map((p) => ({ name: p.name, seconds: p.seconds, uncertainty: p.uncertainty })),
    fits: planFits(plan), memoryMessage: planFits(plan) ? null : plan.fit.message, summary: describePlan(plan), details: describePhases(e),
    measuredSeconds: plan.measuredSeconds,
  };
}
