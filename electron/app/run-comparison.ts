/**
 * A completed run's comparison: every model measured side by side at its end — the base model, the baselines
 * (full / sparse fine-tune, random / top / bottom 50%) and the TrimLLM checkpoints — stored as evaluations of
 * the run (store/evaluations.ts COMPARISON_TASK), so the app can draw them on the frontier and tabulate speed-ups.
 */
import type { ReportEntry } from '../../engine/report/types.ts';
import { evalSize, type Evaluable } from '../../engine/trim/prepare.ts';
import { replaceRunComparison, type Database } from '../store/index.ts';

/**
 * Stores the measured entries of run `runId`, replacing an earlier comparison. `checkpointIds[i]` is the
 * checkpoint of `measured[i]`: the TrimLLM checkpoints and the stored baselines have one, the base model null.
 * @throws SqliteError (FOREIGN KEY) for an unknown run, model, dataset or checkpoint
 */
export function storeRunComparison(
  db: Database,
  run: { runId: number; modelId: number; datasetId: number; test: Evaluable },
  measured: readonly ReportEntry[],
  checkpointIds: readonly (number | null)[],
): void {
  replaceRunComparison(
    db, { runId: run.runId, modelId: run.modelId, datasetId: run.datasetId, recordCount: evalSize(run.test) },
    measured.map((entry, i) => ({ checkpointId: checkpointIds[i] ?? null, entry })),
  );
}
