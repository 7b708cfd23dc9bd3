/**
 * Runs a stored trim run (create or resume) against the workspace database: the engine's pipeline with a
 * RunSink that writes every step, scan and checkpoint to SQLite (each checkpoint in one transaction, with the
 * changed weights and the optimizer state), so a killed process resumes from its last checkpoint. A fresh run
 * without a prediction measures one first (run-prediction.ts); each execution adds its wall time to the run. At
 * the end the baselines are measured and the report (with the prediction beside the time taken) is written.
 */
import { resolve } from 'node:path';
import { loadModel } from '../../engine/io/load-model.ts';
import { resolveThreads } from '../../engine/parallel/threads.ts';
import { DatasetSplitError, resolveTemplates, type NormalisedRecord, type TaskType } from '../../engine/data/index.ts';
import { prepareTask, type PreparedTask } from '../../engine/trim/prepare.ts';
import { measureSpeedsSideBySide, runTrimLLM, type ResumePoint, type ScanInfo } from '../../engine/trim/pipeline.ts';
import { runBaselines } from '../../engine/trim/baseline-runs.ts';
import type { SubLayerScore } from '../../engine/trim/importance.ts';
import { writeReport } from '../../engine/report/write.ts';
import type { ReportEntry, TrimReport } from '../../engine/report/types.ts';
import { keptNames } from '../../engine/model/sublayers.ts';
import {
  appendRunEvents, getDataset, getModel, getRun, latestCheckpoint, listRecords, loadCheckpointTensors,
  recordImportanceScan, saveCheckpoint, deleteRunEventsAfter, setRunStatus, listCheckpoints, listRunEvents, type Database,
  claimRun, storageError, runOwner, setRunStopReason, deleteCheckpoint, addRunActiveSeconds, type ModelRow, type DatasetRow,
} from '../store/index.ts';
import type { LlamaModel } from '../../engine/model/llama.ts';
import type { Tokenizer } from '../../engine/io/tokenizer.ts';
import { announcePhase } from './phase-announce.ts';
import type { SPLITS } from '../store/index.ts';
import type { AppEvents } from './events.ts';
import { readResumeState } from './resume-state.ts';
import { readRunConfig, type StoredRunConfig } from './run-config.ts';
import { storeRunComparison } from './run-comparison.ts';
import { quantizedRowsOfRun } from './quantized-rows.ts';
import { predictAtStart, runTiming } from './run-prediction.ts';

/** Every record of a dataset, train then validation then test (what prepareTask splits). */
export function loadRecords(db: Database, datasetId: number): NormalisedRecord[] {
  const out: NormalisedRecord[] = [];
  for (const split of ['train', 'validation', 'test'] as (typeof SPLITS)[number][]) {
    for (const r of listRecords(db, datasetId, split)) out.push(r.payload as NormalisedRecord);
  }
  return out;
}

/** Metrics of a baseline's checkpoint (a TrimLLM checkpoint's hold `state` instead). */
export interface BaselineCheckpointMetrics {
  kind: 'baseline';
  baseline: string;
  entry: ReportEntry;
}

/** True for a checkpoint that stores a baseline (not a step of the TrimLLM schedule). */
export function isBaselineCheckpoint(metrics: unknown): boolean {
  return (metrics as { kind?: string } | null)?.kind === 'baseline';
}

function resumePoint(db: Database, runId: number): ResumePoint | undefined {
  const cp = listCheckpoints(db, runId).filter((c) => !isBaselineCheckpoint(c.metrics)).at(-1);
  if (!cp) return undefined;
  const state = readResumeState(cp);
  if (!state) throw new Error(`checkpoint ${cp.id} of run ${runId} has no resume state; start a new run`);
  return {
    state,
    tensors: loadCheckpointTensors(db, cp.id, 'param'),
    optimizer: { ...(cp.optimizerState as { step: number; paramSteps?: Record<string, number> }), tensors: loadCheckpointTensors(db, cp.id, 'optimizer') },
  };
}

/**
 * The run met a full or read-only disk: it stays resumable ('interrupted' at its last committed checkpoint; if
 * even that status cannot be written it stays 'running' with a dead owner, which the next start marks
 * 'interrupted'), and the error says so.
 */
function stoppedByStorage(db: Database, runId: number, storage: Error): Error {
  try {
    setRunStatus(db, runId, 'interrupted', { error: storage.message });
  } catch {
    // The disk refuses this write too; see above.
  }
  let last = '';
  try {
    const cp = latestCheckpoint(db, runId);
    last = cp ? ` at checkpoint ${cp.id} "${cp.label}"` : ' before its first checkpoint';
  } catch {
    // Unreadable too: say less.
  }
  storage.message += `\nrun ${runId} stopped${last}; nothing saved earlier is lost. Continue with: trimllm resume ${runId}`;
  return storage;
}

/**
 * Runs what a run needs before training (loading the model, preparing the data); when it throws, the run is
 * marked 'failed' with the reason (shown by `trimllm runs`) unless the disk refused the write.
 * @throws what `step` throws
 */
async function failedIfThrows<T>(db: Database, runId: number, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (!storageError(e, db.name) && ['queued', 'interrupted'].includes(getRun(db, runId)?.status ?? '')) {
      try {
        setRunStatus(db, runId, 'failed', { error: (e as Error).message });
      } catch {
        // A run already running elsewhere or finished: its status is not ours to change.
      }
    }
    throw e;
  }
}

/** Loads a fresh copy of a registered model (with its tokenizer when one was imported beside it). */
export function baseLoader(modelRow: ModelRow): () => Promise<LlamaModel> {
  const tokenizerPath = (modelRow.config as { tokenizer?: string | null }).tokenizer ?? undefined;
  return async () => (await loadModel(modelRow.source, tokenizerPath ? { tokenizer: tokenizerPath } : {})).model;
}

/** What prepareRunTask returns. */
export interface RunTask {
  tokenizer: Tokenizer;
  task: PreparedTask;
  /**
   * planRun's ggufTokenizer: the tokenizer's file or folder when the run writes a report (its model is then
   * exported as GGUF files and measured in llama.cpp), else absent.
   */
  ggufTokenizer?: string;
}

/**
 * The tokenizer and prepared task of a run's model and dataset, as the run uses them (also `trimllm plan`).
 * @throws Error when the model has no tokenizer; the data errors of prepareTask (DatasetSplitError naming the dataset)
 */
export async function prepareRunTask(db: Database, modelRow: ModelRow, dataset: DatasetRow, config: StoredRunConfig): Promise<RunTask> {
  const tokenizerPath = (modelRow.config as { tokenizer?: string | null }).tokenizer ?? undefined;
  const probe = await loadModel(modelRow.source, tokenizerPath ? { tokenizer: tokenizerPath } : {});
  probe.model.dispose();
  if (!probe.tokenizer) throw new Error(`model ${modelRow.source} has no tokenizer; re-import it with --tokenizer`);
  let task: PreparedTask;
  try {
    task = prepareTask(probe.tokenizer, dataset.taskType as TaskType, loadRecords(db, dataset.id), {
      maxSeqLen: probe.model.config.maxSeqLen, seed: config.seed, ...config.limits, templates: resolveTemplates(config.templates ?? {}),
    });
  } catch (e) {
    if (e instanceof DatasetSplitError) throw new DatasetSplitError(`dataset "${dataset.name}": ${e.message}`);
    throw e;
  }
  return { tokenizer: probe.tokenizer, task, ...(config.reportDir ? { ggufTokenizer: probe.tokenizerPath ?? probe.path } : {}) };
}

/**
 * Runs (or resumes) run `runId` to the end; writes the report when the run has a report directory.
 * @returns the report (null when stopped before the end)
 * @throws StorageError (store/db.ts) when the disk is full or read-only: the run is left resumable at its last
 *   checkpoint; the engine's and store's errors otherwise (the run is then 'failed')
 */
export async function executeRun(db: Database, runId: number, signal: AbortSignal, backend: string, hooks: AppEvents = {}): Promise<TrimReport | null> {
  const run = getRun(db, runId);
  if (!run) throw new Error(`no run ${runId}`);
  if (run.status === 'running') {
    const pid = runOwner(db, runId);
    throw new Error(`run ${runId} is already running${pid === null ? '' : ` (pid ${pid})`}`);
  }
  const config = readRunConfig(run);
  const modelRow = getModel(db, run.modelId)!;
  const dataset = getDataset(db, run.datasetId)!;
  const loadBase = baseLoader(modelRow);
  const { tokenizer, task, ggufTokenizer } = await failedIfThrows(db, runId, () => prepareRunTask(db, modelRow, dataset, config));
  const message = (t: string) => hooks.onMessage?.(t);
  for (const note of task.notes) message(note);
  const resume = resumePoint(db, runId);
  if (resume) deleteRunEventsAfter(db, runId, resume.optimizer.step);
  const threads = resolveThreads();
  if (!resume) await predictAtStart(db, runId, { loadBase, tokenizer, task, config, threads, ...(ggufTokenizer ? { ggufTokenizer } : {}) }, message);
  setRunStatus(db, runId, 'running', { backend });
  claimRun(db, runId);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let trainingEpoch: number | null = null;
  const entries: ReportEntry[] = [];
  let lastStep = resume?.optimizer.step ?? 0; // the optimizer step a scan follows
  const ctx = {
    loadBase, tokenizer, task, config, signal, threads,
    ...(resume ? { resume } : {}),
    sink: {
      onStep: (e: { step: number; epoch: number; loss: number; lr: number; tokensPerSecond: number; examplesDone: number; examplesTotal: number; phase: string }) => {
        if (e.phase === 'trimllm') {
          lastStep = e.step;
          if (trainingEpoch !== e.epoch) announcePhase('train', `epoch ${e.epoch}`);
          trainingEpoch = e.epoch;
          appendRunEvents(db, runId, [{ step: e.step, epoch: e.epoch, loss: e.loss, lr: e.lr, tokensPerSecond: e.tokensPerSecond }]);
          if (e.examplesDone === e.examplesTotal) announcePhase('train-done', `epoch ${e.epoch}`);
        }
        hooks.onProgress?.({ phase: e.phase, epoch: e.epoch, done: e.examplesDone, total: e.examplesTotal, loss: e.loss });
      },
      onScan: (epoch: number, scores: SubLayerScore[], scan: ScanInfo) => {
        recordImportanceScan(db, runId, lastStep, scores.map((s) => ({
          subLayer: s.subLayer, calibrationPerformance: s.calibrationPerformance, importance: s.importance, activationNorm: s.activationNorm,
          chosen: s.subLayer === scan.chosen,
        })));
        announcePhase('scan-done', `epoch ${epoch}`);
      },
      onCheckpoint: (c: Parameters<Parameters<typeof runTrimLLM>[0]['sink']['onCheckpoint']>[0]) => {
        announcePhase('checkpoint', c.label);
        saveCheckpoint(db, {
          runId, step: c.step, epoch: c.state.epochsDone, label: c.label, keepMask: c.state.keep,
          trainableMask: c.state.trainable, metrics: { entry: c.entry }, resumeState: c.state,
          paramBytes: c.entry?.paramBytes ?? 0, optimizerState: { step: c.optimizer.step, paramSteps: c.optimizer.paramSteps ?? {} },
          tensors: c.tensors, optimizerTensors: c.optimizer.tensors,
        });
        if (c.state.stopReason) setRunStopReason(db, runId, c.state.stopReason);
        announcePhase('checkpoint-saved', c.label);
        message(`checkpoint "${c.label}": kept ${keptNames(c.state.keep).join(',')}`);
      },
      onEntry: (e: ReportEntry) => {
        entries.push(e);
        message(`${e.name}: ${e.metric} ${(100 * e.performance).toFixed(1)}%, ${(e.paramBytes / 1024).toFixed(0)} KiB, ${e.decodeTokensPerSecond.toFixed(0)} tokens/s`);
      },
      onMessage: message,
    },
  };
  /** Marks the run interrupted (a stop, wherever it came) and says where it stopped and how to continue. */
  const interrupted = (error?: string): null => {
    setRunStatus(db, runId, 'interrupted', error === undefined ? undefined : { error });
    const cp = latestCheckpoint(db, runId);
    message(`run ${runId} interrupted ${cp ? `at checkpoint ${cp.id} "${cp.label}"` : 'before its first checkpoint'} — continue with: trimllm resume ${runId}`);
    return null;
  };
  try {
    announcePhase('start', resume ? 'resume' : 'fresh');
    const final = await runTrimLLM(ctx);
    if (final.phase !== 'done') return interrupted();
    // TrimLLM entries of checkpoints saved before a resume come from the database.
    const stored = listCheckpoints(db, runId).flatMap((c) => {
      if (isBaselineCheckpoint(c.metrics)) {
        deleteCheckpoint(db, c.id); // from a run killed while its baselines trained: they are trained again
        return [];
      }
      const entry = (c.metrics as { entry: ReportEntry | null }).entry;
      return entry ? [{ id: c.id, entry }] : [];
    });
    entries.splice(0, entries.length, ...stored.map((s) => s.entry));
    const checkpointIds: (number | null)[] = stored.map((s) => s.id);
    const doneStep = latestCheckpoint(db, runId)?.step ?? 0;
    const trainedEpochs = config.baselineEpochs ?? final.epochsDone;
    await runBaselines(ctx, trainedEpochs, { keep: final.keep, trainable: final.trainable }, (b) => {
      checkpointIds[entries.length] = saveCheckpoint(db, {
        runId, step: doneStep, epoch: trainedEpochs, label: b.entry.name, keepMask: b.keep, trainableMask: b.trainable,
        metrics: { kind: 'baseline', baseline: b.baseline, entry: b.entry } satisfies BaselineCheckpointMetrics,
        paramBytes: b.entry.paramBytes, tensors: b.tensors,
      });
    });
    if (signal.aborted) return interrupted();
    message('measuring tokens/s of every model side by side');
    const measured = await measureSpeedsSideBySide(ctx, entries);
    storeRunComparison(db, { runId, modelId: run.modelId, datasetId: dataset.id, test: task.test }, measured, checkpointIds);
    const stepAtEpoch = new Map(listCheckpoints(db, runId).filter((c) => !isBaselineCheckpoint(c.metrics)).map((c) => [c.epoch, c.step]));
    const report: TrimReport = {
      title: `TrimLLM run ${runId}: ${modelRow.name} on ${dataset.name}`, model: modelRow.source, dataset: dataset.source,
      taskType: dataset.taskType, createdAt: new Date().toISOString(), config: config as unknown as Record<string, unknown>,
      entries: measured, nLayers: final.keep.length / 2,
      losses: listRunEvents(db, runId).map((e) => ({ step: e.step, epoch: e.epoch, loss: e.loss ?? NaN })),
      drops: final.drops.map((d) => ({ step: stepAtEpoch.get(d.epoch) ?? 0, epoch: d.epoch, subLayer: d.subLayer })),
      stopReason: final.stopReason,
      ...(final.referencePerformance !== null ? { referencePerformance: final.referencePerformance } : {}),
      timing: runTiming(db, runId, elapsed()),
    };
    if (config.reportDir) {
      message('measuring GGUF exports (F32, Q8_0, Q4_0) in llama.cpp');
      const chosen = stored.filter((c) => c.entry.kind === 'trimllm').at(-1) ?? null;
      report.quantized = await quantizedRowsOfRun(db, run.modelId, measured.find((e) => e.kind === 'base'), chosen, task.test, task.metric)
        .catch((e: unknown) => {
          message(`GGUF measurement skipped: ${(e as Error).message}`);
          return undefined;
        });
      report.timing = runTiming(db, runId, elapsed()); // the GGUF files included: the whole run the plan predicted
      await writeReport(resolve(config.reportDir), report);
    }
    setRunStatus(db, runId, 'completed');
    return report;
  } catch (e) {
    const storage = storageError(e, db.name);
    if (storage) throw stoppedByStorage(db, runId, storage);
    if (signal.aborted) return interrupted((e as Error).message);
    setRunStatus(db, runId, 'failed', { error: (e as Error).message });
    throw e;
  } finally {
    try {
      addRunActiveSeconds(db, runId, elapsed());
    } catch {
      // The disk refuses this write too (the error above says so): the report's time misses this execution.
    }
  }
}
