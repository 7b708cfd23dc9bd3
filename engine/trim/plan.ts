/**
 * The estimate before a run, shared by `trimllm plan`, the app's trim form and the run itself: measure the run's
 * units on this machine (plan-measure.ts), predict the whole run's wall time (estimate.ts), and check that its
 * largest training step fits the backend's memory (train/memory.ts via pipeline.ts largestRunStep). describePlan
 * says it in plain words.
 */
import * as tf from '@tensorflow/tfjs';
import { checkStepFits, type FitReport, type StepShape } from '../train/memory.ts';
import type { Tokenizer } from '../io/tokenizer.ts';
import type { LlamaModel } from '../model/llama.ts';
import { formatDuration } from '../report/duration.ts';
import { estimateRun, type PhaseEstimate, type RunEstimate, type RunShape, type UnitTimings } from './estimate.ts';
import { measureUnits, runShape, type MeasureOptions } from './plan-measure.ts';
import { largestRunStep, type TrimRunConfig } from './pipeline.ts';
import type { PreparedTask } from './prepare.ts';

/** What the estimate before a run found. */
export interface RunPlan {
  units: UnitTimings;
  shape: RunShape;
  estimate: RunEstimate;
  /** The run's largest training step (every sub-layer trainable) and whether it fits the backend's memory. */
  step: StepShape;
  fit: FitReport;
  /** The tfjs backend measured on; only 'wasm' has a memory limit (its 4 GiB heap). */
  backend: string;
  threads: number;
  /** Wall time of the measurement itself (seconds). */
  measuredSeconds: number;
}

/**
 * Measures `model` (its weights are not changed) on the run's data and settings and predicts the run.
 * @param options.threads the run's threads: the training step and the scan candidate are timed on them
 *   (plan-measure.ts), and the memory check counts the optimizer in shared memory above 1; options.ggufTokenizer
 *   given: the run writes a report, whose GGUF files are timed too
 * @throws the errors of measureUnits (no training example or no test item)
 */
export async function planRun(
  model: LlamaModel, tokenizer: Tokenizer, task: PreparedTask, config: TrimRunConfig, options: MeasureOptions = {},
): Promise<RunPlan> {
  const start = performance.now();
  const threads = options.threads ?? 1;
  const units = await measureUnits(model, tokenizer, task, config, options);
  const shape = runShape(task, config, model.config.nLayers, options.ggufTokenizer !== undefined);
  const step = largestRunStep(model.config, { task, config, threads });
  return {
    units, shape, estimate: estimateRun(units, shape), step, fit: checkStepFits(model.config, step),
    backend: tf.getBackend(), threads, measuredSeconds: (performance.now() - start) / 1000,
  };
}

/** Each phase of a run in words a non-ML user understands (the field's term is the key). */
export const PHASE_WORDS: Record<PhaseEstimate['name'], string> = {
  'initial scan': 'finding which parts of the model matter (first pass)',
  training: 'fine-tuning the model while it is trimmed',
  scans: 'choosing which part to remove next',
  validation: 'checking quality after each removal',
  'checkpoint measurements': 'testing every saved version',
  healing: 'fine-tuning the trimmed model to recover quality',
  baselines: 'the comparison models',
  'speed comparison': 'the final speed comparison',
  'GGUF files': 'the files for Ollama and LM Studio, each size measured',
};

/** True when the run's largest training step fits (always on a backend without the wasm heap's limit). */
export function planFits(plan: Pick<RunPlan, 'fit' | 'backend'>): boolean {
  return plan.backend !== 'wasm' || plan.fit.fits;
}

/**
 * The plan in one plain sentence: `about 2.4 h ± 20.0 min; most of the time goes to fine-tuning the model while
 * it is trimmed; fits this computer's memory`, or the memory refusal with what would fit.
 */
export function describePlan(plan: Pick<RunPlan, 'estimate' | 'fit' | 'backend'>): string {
  const e = plan.estimate;
  const memory = planFits(plan) ? "fits this computer's memory" : `does not fit this computer's memory: ${plan.fit.message}`;
  return `about ${formatDuration(e.seconds)} ± ${formatDuration(e.uncertainty)}; most of the time goes to ${PHASE_WORDS[e.dominant]}; ${memory}`;
}

/** One line per phase that takes time: `fine-tuning the model while it is trimmed: 1.2 h ± 11.0 min`. */
export function describePhases(estimate: RunEstimate): string[] {
  return estimate.phases.filter((p) => p.seconds > 0).map((p) => `${PHASE_WORDS[p.name]}: ${formatDuration(p.seconds)} ± ${formatDuration(p.uncertainty)}`);
}
