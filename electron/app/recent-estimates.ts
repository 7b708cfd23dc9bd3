/**
 * The estimates made before Start (runs.estimate), kept for a while so that a run started with the same model,
 * dataset and settings stores that prediction instead of measuring again when it starts.
 */
import { RunSettingsSchema } from '../api/run-settings.ts';
import type { RunPrediction } from '../store/index.ts';

/** How long an estimate is reused for a run started with the same settings (ms): the machine's load changes. */
export const ESTIMATE_REUSE_MS = 30 * 60 * 1000;

/** A run's model, dataset and settings as runs.estimate and runs.start receive them. */
export interface RunRequest {
  modelId: number;
  datasetId: number;
  settings: unknown;
}

/** The key of a request: its ids and its settings with their defaults filled in (RunSettingsSchema). */
function keyOf(req: RunRequest): string {
  return JSON.stringify([req.modelId, req.datasetId, RunSettingsSchema.parse(req.settings)]);
}

/** The latest estimates, by request. */
export class RecentEstimates {
  private readonly entries = new Map<string, { prediction: RunPrediction; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers the estimate of `req`. @throws ZodError for settings out of range */
  remember(req: RunRequest, prediction: RunPrediction): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (now - e.at > ESTIMATE_REUSE_MS) this.entries.delete(k);
    this.entries.set(keyOf(req), { prediction, at: now });
  }

  /** The estimate of the same request made within ESTIMATE_REUSE_MS, or undefined (also for invalid settings). */
  find(req: RunRequest): RunPrediction | undefined {
    let key: string;
    try {
      key = keyOf(req);
    } catch {
      return undefined; // runs.start reports the invalid settings itself
    }
    const e = this.entries.get(key);
    return e && this.now() - e.at <= ESTIMATE_REUSE_MS ? e.prediction : undefined;
  }
}
