/**
 * Live events of a trim run, read back from SQLite. executeRun (app/execute-run.ts) writes every training step,
 * calibration scan and checkpoint to the database but has no callback, so the runner (in the parent process)
 * polls the run's new rows every few hundred milliseconds and turns them into the contract's `job.progress`,
 * `run.scan` and `run.checkpoint` events. The poll runs in the parent because the worker's event loop does not
 * turn while the engine trains (tfjs's awaits resolve as microtasks), so timers there never fire. The database
 * stays the one source of truth: a UI that reconnects reads the same rows through `runs.get`.
 *
 * Progress is counted in optimizer steps. The total is an estimate from the run's settings (drop epochs until
 * the kept-fraction target or max epochs, plus healing), refined once a whole epoch has been seen.
 */
import type { EventName, EventPayload } from '../api/contract.ts';
import { plannedEpochs } from '../../engine/trim/progressive.ts';
import { readRunConfig, type StoredRunConfig } from '../app/run-config.ts';
import {
  getDataset, getModel, getRun, listCheckpoints, listImportanceScans, listRunEvents, listRuns, type CheckpointRow, type Database,
} from '../store/index.ts';

/** Settings of a run that decide how long it takes (a subset of StoredRunConfig). */
export interface RunLength {
  /** Sub-layers of the model (2L). */
  subLayers: number;
  /** Stop once kept / 2L ≤ this. */
  keptFraction?: number;
  /** Most drop-phase epochs. */
  maxEpochs: number;
  /** Sub-layers dropped per epoch (k). */
  dropsPerEpoch: number;
  /** Healing epochs (default: as many as the drop epochs; plannedEpochs). */
  healEpochs?: number;
  /** Training examples per epoch (estimate: min(maxTrain, train records)). */
  trainExamples: number;
  /** Examples per optimizer step (micro-batch × accumulation). */
  examplesPerStep: number;
}

/**
 * Estimated epochs (plannedEpochs, the count the learning-rate schedule uses) and optimizer steps of a whole run.
 */
export function estimateRunLength(r: RunLength): { epochs: number; stepsPerEpoch: number; steps: number } {
  const epochs = plannedEpochs({
    targets: { maxEpochs: r.maxEpochs, ...(r.keptFraction !== undefined ? { keptFraction: r.keptFraction } : {}) },
    dropsPerEpoch: r.dropsPerEpoch, ...(r.healEpochs !== undefined ? { healEpochs: r.healEpochs } : {}),
  }, r.subLayers).total;
  const stepsPerEpoch = Math.max(1, Math.ceil(r.trainExamples / Math.max(1, r.examplesPerStep)));
  return { epochs, stepsPerEpoch, steps: epochs * stepsPerEpoch };
}

/**
 * The estimated length of a stored run (from its config, model and dataset); a rough default when one is
 * missing or its config does not validate (the run itself then fails with readRunConfig's message).
 */
export function estimateForRun(db: Database, runId: number): { epochs: number; stepsPerEpoch: number; steps: number } {
  const rough = { epochs: 1, stepsPerEpoch: 1, steps: 1 };
  const run = getRun(db, runId);
  const model = run && getModel(db, run.modelId);
  const dataset = run && getDataset(db, run.datasetId);
  if (!run || !model || !dataset) return rough;
  let config: StoredRunConfig;
  try {
    config = readRunConfig(run);
  } catch {
    return rough;
  }
  return estimateRunLength({
    subLayers: 2 * ((model.config as { nLayers?: number }).nLayers ?? 1),
    ...(config.targets.keptFraction !== undefined ? { keptFraction: config.targets.keptFraction } : {}),
    maxEpochs: config.targets.maxEpochs,
    dropsPerEpoch: config.dropsPerEpoch,
    ...(config.healEpochs !== undefined ? { healEpochs: config.healEpochs } : {}),
    trainExamples: Math.min(config.limits?.maxTrain ?? Infinity, dataset.counts.train),
    examplesPerStep: config.microBatchSize * (config.accumulationSteps ?? 1),
  });
}

/** Receives each contract event the poller derives. */
export type EmitEvent = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * Turns a run's new database rows into events. Rows that existed when it was created (a resumed run's earlier
 * epochs) are not replayed.
 */
export class RunProgressPoller {
  private lastEventId = 0;
  private readonly seenCheckpoints = new Set<number>();
  private scansSeen = 0;
  private stepsPerEpoch: number;
  private firstSeen: { done: number; at: number } | null = null;
  private readonly stepsByEpoch = new Map<number, number>();

  /**
   * @param estimate the run's estimated length (estimateRunLength)
   * @param now clock in milliseconds (tests)
   * @param replayLastStep the first poll reports the latest existing step too (a run already under way)
   */
  constructor(
    private readonly db: Database,
    private readonly runId: number,
    private readonly jobId: string,
    private readonly emit: EmitEvent,
    private readonly estimate: { epochs: number; stepsPerEpoch: number },
    private readonly now: () => number = Date.now,
    replayLastStep = false,
  ) {
    this.stepsPerEpoch = estimate.stepsPerEpoch;
    const ids = listRunEvents(db, runId).map((e) => e.id).sort((a, b) => a - b);
    this.lastEventId = (replayLastStep ? ids.at(-2) : ids.at(-1)) ?? 0;
    for (const c of listCheckpoints(db, runId)) this.seenCheckpoints.add(c.id);
    this.scansSeen = listImportanceScans(db, runId).length;
  }

  /** Total steps as currently estimated. */
  get totalSteps(): number {
    return this.estimate.epochs * this.stepsPerEpoch;
  }

  /** Reads new rows and emits their events (in order: scans, progress, checkpoints). Never throws. */
  poll(): void {
    try {
      this.pollScans();
      this.pollSteps();
      this.pollCheckpoints();
    } catch {
      // A busy database or a row being written: the next poll reads it.
    }
  }

  private pollScans(): void {
    const scans = listImportanceScans(this.db, this.runId);
    const fresh = scans.slice(this.scansSeen);
    // A scan is recorded at the optimizer step it followed: its epoch is that step's (0 before any training).
    const epochAtStep = fresh.length > 0 ? new Map(listRunEvents(this.db, this.runId).map((e) => [e.step, e.epoch])) : new Map<number, number>();
    for (const s of fresh) {
      this.emit('run.scan', {
        runId: this.runId, epoch: epochAtStep.get(s.step) ?? 0, chosen: s.scores.find((x) => x.chosen)?.subLayer ?? null,
        scores: s.scores.map((x) => ({
          subLayer: x.subLayer, calibrationPerformance: x.calibrationPerformance ?? 0,
          importance: x.importance ?? 0, activationNorm: x.activationNorm ?? 0,
        })),
      });
    }
    this.scansSeen = Math.max(this.scansSeen, scans.length);
  }

  private pollSteps(): void {
    const events = listRunEvents(this.db, this.runId, { afterId: this.lastEventId });
    if (events.length === 0) return;
    for (const e of events) {
      this.lastEventId = Math.max(this.lastEventId, e.id);
      this.stepsByEpoch.set(e.epoch, (this.stepsByEpoch.get(e.epoch) ?? 0) + 1);
    }
    const last = events.at(-1)!;
    // An epoch is complete once a later one has begun: its step count replaces the estimate.
    const complete = [...this.stepsByEpoch.keys()].filter((ep) => ep < last.epoch).map((ep) => this.stepsByEpoch.get(ep)!);
    if (complete.length > 0) this.stepsPerEpoch = Math.max(...complete);
    const done = last.step; // optimizer updates done (1-based)
    const total = Math.max(done, this.totalSteps);
    const at = this.now();
    if (!this.firstSeen) this.firstSeen = { done, at };
    const rate = (done - this.firstSeen.done) / Math.max(1e-3, (at - this.firstSeen.at) / 1000);
    this.emit('job.progress', {
      jobId: this.jobId, runId: this.runId, phase: 'train', epoch: last.epoch, done, total,
      ...(last.loss !== null ? { loss: last.loss } : {}),
      etaSeconds: rate > 0 ? (total - done) / rate : null,
    });
  }

  private pollCheckpoints(): void {
    const fresh: CheckpointRow[] = listCheckpoints(this.db, this.runId).filter((c) => !this.seenCheckpoints.has(c.id));
    for (const c of fresh) {
      this.seenCheckpoints.add(c.id);
      const entry = (c.metrics as { entry?: { performance?: number } | null }).entry;
      this.emit('run.checkpoint', {
        runId: this.runId, checkpointId: c.id, label: c.label, keepMask: [...c.keepMask],
        performance: typeof entry?.performance === 'number' && Number.isFinite(entry.performance) ? entry.performance : null,
      });
    }
  }
}

const FINISHED = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

/**
 * Progress of runs that another process trains (`trimllm trim` from the CLI, a second app): each poll finds the
 * runs marked 'running' in the database that are not this process's own job (`isOwnRun`) and derives their
 * events with a RunProgressPoller (job id `run-<id>`, starting from the latest step). When such a run leaves
 * 'running' its last rows are read and `job.finished` is emitted with its stored status.
 */
export class ExternalRunWatcher {
  private readonly watched = new Map<number, RunProgressPoller>();

  /** @param isOwnRun true for a run this process trains itself (its runner emits that run's events) */
  constructor(private readonly db: Database, private readonly emit: EmitEvent, private readonly isOwnRun: (runId: number) => boolean) {}

  /** The runs being watched (tests). */
  get runIds(): number[] {
    return [...this.watched.keys()];
  }

  /** Starts or ends watches and polls each watched run. Never throws (a busy database is read next time). */
  poll(): void {
    let running: Set<number>;
    try {
      running = new Set(listRuns(this.db, { status: 'running' }).map((r) => r.id).filter((id) => !this.isOwnRun(id)));
    } catch {
      return;
    }
    for (const [runId, poller] of this.watched) {
      if (running.has(runId)) continue;
      poller.poll();
      this.watched.delete(runId);
      const status = this.statusOf(runId);
      if (status && FINISHED.has(status)) this.emit('job.finished', { jobId: `run-${runId}`, runId, status: status as EventPayload<'job.finished'>['status'] });
    }
    for (const runId of running) {
      if (!this.watched.has(runId)) {
        try {
          this.watched.set(runId, new RunProgressPoller(this.db, runId, `run-${runId}`, this.emit, estimateForRun(this.db, runId), Date.now, true));
        } catch {
          continue; // deleted meanwhile, or the database is busy: next poll
        }
      }
      this.watched.get(runId)!.poll();
    }
  }

  private statusOf(runId: number): string | null {
    try {
      return getRun(this.db, runId)?.status ?? null;
    } catch {
      return null;
    }
  }
}
