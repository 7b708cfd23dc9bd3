/**
 * Throttled download progress: at most one event every ~100 ms (plus the first and the last), with the speed
 * measured over the last few seconds.
 */

/** One progress event of a download. */
export interface DownloadProgress {
  /** The file being downloaded (its path in the repo). */
  file: string;
  /** Bytes of the file on disk so far (a resumed download starts at the size of the `.part`). */
  bytes: number;
  /** Size of the file in bytes, or null when the server did not say. */
  total: number | null;
  /** Recent transfer speed in bytes/s (0 until measurable). */
  bytesPerSecond: number;
  /** Estimated seconds left, or null when the total or the speed is unknown. */
  etaSeconds: number | null;
}

/** Minimum time between two events, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 100;
/** The speed is measured over this window, in milliseconds. */
const SPEED_WINDOW_MS = 5000;

/** Turns byte counts into throttled {@link DownloadProgress} events. */
export class ProgressMeter {
  private readonly samples: { t: number; bytes: number }[] = [];
  private lastEmit = -Infinity;

  /** `emit` receives the events; `total` in bytes or null; `now` is the clock in milliseconds (for tests). */
  constructor(
    private readonly file: string,
    private readonly total: number | null,
    private readonly emit: ((p: DownloadProgress) => void) | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Records that `bytes` are on disk; emits an event if ~100 ms have passed since the last one, or if `force` (then
   * unless the last event already reported `bytes`).
   */
  update(bytes: number, force = false): void {
    if (!this.emit) return;
    const now = this.now();
    const last = this.samples.at(-1);
    if (force ? last?.bytes === bytes : now - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    this.lastEmit = now;
    this.samples.push({ t: now, bytes });
    while (this.samples.length > 2 && now - this.samples[1].t >= SPEED_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const seconds = (now - first.t) / 1000;
    const bytesPerSecond = seconds > 0 ? (bytes - first.bytes) / seconds : 0;
    const etaSeconds = this.total !== null && bytesPerSecond > 0 ? Math.max(0, this.total - bytes) / bytesPerSecond : null;
    this.emit({ file: this.file, bytes, total: this.total, bytesPerSecond, etaSeconds });
  }
}
