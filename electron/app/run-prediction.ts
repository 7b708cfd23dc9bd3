/**
 * The prediction a run's report compares with its time: the estimate made before Start (runs.estimate, stored by
 * startRun) or, for a fresh run without one, measured when it starts (planRun with one timed repeat of each
 * unit: a training step, a scan candidate, an evaluation batch and a decode run, twice each with the warm-up, a
 * few seconds and less than one calibration scan of the run). A resumed run keeps its original prediction.
 */
import type { LlamaModel } from '../../engine/model/llama.ts';
import type { Tokenizer } from '../../engine/io/tokenizer.ts';
import { describePlan, planRun } from '../../engine/trim/plan.ts';
import type { TrimRunConfig } from '../../engine/trim/pipeline.ts';
import type { PreparedTask } from '../../engine/trim/prepare.ts';
import type { RunTiming } from '../../engine/report/duration.ts';
import { getRunTiming, setRunPrediction, storageError, type Database } from '../store/index.ts';

/** Timed repeats of each unit when a run measures its own prediction at start. */
export const START_REPEATS = 1;

/** What a run has ready when it starts. */
export interface RunInputs {
  loadBase: () => Promise<LlamaModel>;
  tokenizer: Tokenizer;
  task: PreparedTask;
  config: TrimRunConfig;
  threads: number;
  /** Given when the run writes a report (prepareRunTask). */
  ggufTokenizer?: string;
}

/**
 * Stores a prediction for run `runId` when it has none, measured on a fresh copy of its base model; says it
 * with `message`. An estimate that fails is reported and skipped (the run goes on; its report then shows only
 * the time taken).
 * @throws StorageError when the disk refuses the write
 */
export async function predictAtStart(db: Database, runId: number, inputs: RunInputs, message: (text: string) => void): Promise<void> {
  if (getRunTiming(db, runId).predicted) return;
  let model: LlamaModel | null = null;
  try {
    model = await inputs.loadBase();
    const plan = await planRun(model, inputs.tokenizer, inputs.task, inputs.config, {
      threads: inputs.threads, repeats: START_REPEATS, ...(inputs.ggufTokenizer ? { ggufTokenizer: inputs.ggufTokenizer } : {}),
    });
    setRunPrediction(db, runId, { seconds: plan.estimate.seconds, uncertainty: plan.estimate.uncertainty });
    message(`estimate (measured in ${plan.measuredSeconds.toFixed(1)} s): ${describePlan(plan)}`);
  } catch (e) {
    const storage = storageError(e, db.name);
    if (storage) throw storage;
    message(`no time estimate for this run: ${(e as Error).message}`);
  } finally {
    model?.dispose();
  }
}

/** The report's timing of run `runId`: its stored prediction and time, plus `currentSeconds` of this execution. */
export function runTiming(db: Database, runId: number, currentSeconds: number): RunTiming {
  const t = getRunTiming(db, runId);
  return { ...(t.predicted ? { predicted: t.predicted } : {}), actualSeconds: t.activeSeconds + currentSeconds };
}
