/**
 * The arithmetic of `trimllm plan`: a whole run's wall time from timings measured on this machine (one training
 * step, one scan candidate, one evaluation batch, one decode run, one GGUF file) and the run's settings, phase by
 * phase as pipeline.ts / progressive.ts / electron/app/execute-run.ts run them:
 *
 *   steps/epoch  S = ⌈train / (microBatch · accumulation)⌉
 *   drop epochs  E = min(maxEpochs, ⌈(2L − ⌈keptFraction · 2L⌉) / k⌉)
 *   heal epochs  H = healEpochs ?? E
 *   scan(n)      = n · candidate · (n / 2L) · PREFIX_REUSE_FACTOR      (n kept candidates; each candidate's pass
 *                  is shorter as the model shrinks, and prefix reuse runs about 0.65 of the sub-layers: README
 *                  log 5, 1.46–1.64× fewer)
 *   measure      = ⌈test / 16⌉ · evalBatch + (runs + 1) · decode       (one report entry: test split + decode
 *                                                                       benchmark, warm-up run included)
 *   TrimLLM      = scan(2L) + Σ_{e=1..E} [S · step + k · scan(kept_e) + ⌈validation / 16⌉ · evalBatch + measure]
 *                  + H · (S · step + measure)
 *   baselines    = measure (base) + Σ_baseline [epochsB · S · step · f + measure]  (f = the kept fraction of a
 *                  rule-based baseline, 1 for fine-tuned ones; epochsB = baselineEpochs ?? E + H)
 *   speed comparison = masks · (runs + 2) · decode   (speeds re-measured side by side, pipeline.ts
 *                  measureSpeedsSideBySide: a warm-up of two runs per mask, then `runs` rounds; masks = the
 *                  full model, each drop checkpoint, each rule baseline)
 *   GGUF files   = ggufStart + dtypes · (1 + [E > 0]) · ggufFile   (runs that write a report: the base model and the last
 *                  TrimLLM checkpoint exported in each dtype and measured in llama.cpp, runtime/quantized-eval.ts;
 *                  each file costs what the full model's F32 file cost when plan measured it)
 *
 * Uncertainty: the relative spread of each timing ((max − min) / median of its repeats) is carried into its
 * phases, plus MODEL_ERROR for what the formula leaves out (healing trains more sub-layers, padding varies by
 * batch); the two add in quadrature.
 */

/** Evaluation batch size of the engine's evaluators (measure.ts performance). */
export const EVAL_BATCH = 16;

/** Fraction of a naive scan's sub-layer evaluations that prefix reuse runs (README log 5). */
export const PREFIX_REUSE_FACTOR = 0.65;

/** Relative error of the formula itself, added in quadrature to the timings' spread. */
export const MODEL_ERROR = 0.15;

/** A measured timing: median seconds and the relative spread of its repeats. */
export interface Timing {
  seconds: number;
  /** (max − min) / median over the repeats, ≥ 0. */
  spread: number;
}

/** What `plan` measured on this machine. */
export interface UnitTimings {
  /** One optimizer step (microBatch · accumulation examples). */
  trainStep: Timing;
  /** One scan candidate: one evaluation of the calibration set by the full model (no prefix reuse). */
  scanCandidate: Timing;
  /** One evaluation batch of EVAL_BATCH items of the test split, full model. */
  evalBatch: Timing;
  /** One decode benchmark run (prompt + new tokens of the run's benchmark settings). */
  decode: Timing;
  /**
   * One GGUF file of the full model (F32): exported, loaded in llama.cpp, the test split scored and the decode
   * timed; absent when the run measures no GGUF file (no report).
   */
  ggufFile?: Timing;
  /** Starting llama.cpp, once per run before its first GGUF file; absent with ggufFile. */
  ggufStart?: Timing;
}

/** The run's shape, from its settings and its data. */
export interface RunShape {
  nSubLayers: number;
  trainExamples: number;
  validationItems: number;
  testItems: number;
  microBatchSize: number;
  accumulationSteps: number;
  dropsPerEpoch: number;
  keptFraction: number;
  maxEpochs: number;
  healEpochs?: number;
  /** Baselines (pipeline.ts BaselineName). */
  baselines: readonly string[];
  baselineEpochs?: number;
  /** Timed decode benchmark runs per measurement (TrimRunConfig.benchmark.runs). */
  benchmarkRuns: number;
  /** GGUF encodings each reported model is measured in (runtime/quantized-eval.ts QUANTIZED_DTYPES); 0 without a report. */
  ggufDtypes: number;
}

/** One phase of the prediction. */
export interface PhaseEstimate {
  name: 'initial scan' | 'training' | 'scans' | 'validation' | 'checkpoint measurements' | 'healing' | 'baselines' | 'speed comparison'
    | 'GGUF files';
  seconds: number;
  /** ± seconds (one spread). */
  uncertainty: number;
}

/** The prediction of a run. */
export interface RunEstimate {
  phases: PhaseEstimate[];
  seconds: number;
  uncertainty: number;
  /** The phase that costs most. */
  dominant: PhaseEstimate['name'];
  dropEpochs: number;
  healEpochs: number;
  stepsPerEpoch: number;
}

const FINE_TUNED = new Set(['full-finetune', 'sparse-finetune']);

/**
 * Predicts the wall time of a run.
 * @throws RangeError when a count is not a positive integer (nSubLayers, microBatchSize, accumulationSteps,
 *   dropsPerEpoch) or keptFraction is outside (0, 1]
 */
export function estimateRun(t: UnitTimings, r: RunShape): RunEstimate {
  for (const [k, v] of [['nSubLayers', r.nSubLayers], ['microBatchSize', r.microBatchSize], ['accumulationSteps', r.accumulationSteps], ['dropsPerEpoch', r.dropsPerEpoch]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  if (!(r.keptFraction > 0 && r.keptFraction <= 1)) throw new RangeError(`keptFraction must be in (0, 1], got ${r.keptFraction}`);
  const n = r.nSubLayers;
  const S = Math.ceil(r.trainExamples / (r.microBatchSize * r.accumulationSteps));
  const targetKept = Math.max(1, Math.ceil(r.keptFraction * n));
  const E = Math.min(r.maxEpochs, Math.ceil((n - targetKept) / r.dropsPerEpoch));
  const H = r.healEpochs ?? E;
  const evalBatches = (items: number) => Math.ceil(items / EVAL_BATCH);
  const scan = (kept: number) => kept * t.scanCandidate.seconds * (kept / n) * PREFIX_REUSE_FACTOR;
  const benchmark = (r.benchmarkRuns + 1) * t.decode.seconds;
  const measure = evalBatches(r.testItems) * t.evalBatch.seconds + benchmark;
  let scans = 0;
  let kept = n;
  for (let e = 0; e < E; e++) {
    for (let i = 0; i < r.dropsPerEpoch && kept > 1; i++) scans += scan(kept--);
  }
  const trainEpoch = S * t.trainStep.seconds;
  const baselineEpochs = r.baselineEpochs ?? E + H;
  let baselineSeconds = measure;
  for (const b of r.baselines) baselineSeconds += baselineEpochs * trainEpoch * (FINE_TUNED.has(b) ? 1 : r.keptFraction) + measure;
  const ruleBaselines = r.baselines.filter((b) => !FINE_TUNED.has(b)).length;
  const speeds = (1 + E + ruleBaselines) * (r.benchmarkRuns + 2) * t.decode.seconds;
  const gguf = t.ggufFile && r.ggufDtypes > 0 ? (t.ggufStart?.seconds ?? 0) + r.ggufDtypes * (E > 0 ? 2 : 1) * t.ggufFile.seconds : 0;
  const err = (x: Timing) => Math.hypot(x.spread, MODEL_ERROR);
  const measureErr = Math.hypot(err(t.evalBatch), err(t.decode)) / Math.SQRT2;
  const phases: PhaseEstimate[] = [
    { name: 'initial scan', seconds: scan(n), uncertainty: scan(n) * err(t.scanCandidate) },
    { name: 'training', seconds: E * trainEpoch, uncertainty: E * trainEpoch * err(t.trainStep) },
    { name: 'scans', seconds: scans, uncertainty: scans * err(t.scanCandidate) },
    { name: 'validation', seconds: E * evalBatches(r.validationItems) * t.evalBatch.seconds, uncertainty: E * evalBatches(r.validationItems) * t.evalBatch.seconds * err(t.evalBatch) },
    { name: 'checkpoint measurements', seconds: (E + H) * measure, uncertainty: (E + H) * measure * measureErr },
    { name: 'healing', seconds: H * trainEpoch, uncertainty: H * trainEpoch * err(t.trainStep) },
    { name: 'baselines', seconds: baselineSeconds, uncertainty: baselineSeconds * Math.hypot(err(t.trainStep), measureErr) / Math.SQRT2 },
    { name: 'speed comparison', seconds: speeds, uncertainty: speeds * err(t.decode) },
    { name: 'GGUF files', seconds: gguf, uncertainty: t.ggufFile ? gguf * err(t.ggufFile) : 0 },
  ];
  const seconds = phases.reduce((a, p) => a + p.seconds, 0);
  // phases share their timings, so their errors are correlated: add them linearly (the cautious bound)
  const uncertainty = phases.reduce((a, p) => a + p.uncertainty, 0);
  const dominant = phases.reduce((a, p) => (p.seconds > a.seconds ? p : a)).name;
  return { phases, seconds, uncertainty, dominant, dropEpochs: E, healEpochs: H, stepsPerEpoch: S };
}
