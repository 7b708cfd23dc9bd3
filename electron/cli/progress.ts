/**
 * A one-line progress bar with ETA on stderr (redrawn in place on a terminal, printed every few seconds when
 * piped), and messages printed above it.
 */

/** Formats seconds as `1m05s`; `…` when not known yet (not finite). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The progress line of a long job. */
export class ProgressLine {
  private phaseStart = Date.now();
  private phase = '';
  private doneAtStart = 0;
  private lastPrint = 0;
  private readonly tty = process.stderr.isTTY === true;

  /** Updates the bar: phase, epoch, items done of total, and a detail such as the loss. */
  update(phase: string, epoch: number, done: number, total: number, detail: string): void {
    const key = `${phase}/${epoch}`;
    if (key !== this.phase) {
      this.phase = key;
      this.phaseStart = Date.now();
      this.doneAtStart = done;
    }
    const elapsed = (Date.now() - this.phaseStart) / 1000;
    // The rate is measured from the phase's first update on: until a later one there is none.
    const rate = done > this.doneAtStart && elapsed > 0 ? (done - this.doneAtStart) / elapsed : NaN;
    const eta = done >= total ? 0 : (total - done) / rate;
    const width = 24;
    const filled = Math.round((width * done) / Math.max(1, total));
    const line = `${phase} epoch ${epoch} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail} ETA ${formatDuration(eta)}`;
    if (this.tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (Date.now() - this.lastPrint > 5000 || done === total) {
      process.stderr.write(`${line}\n`);
      this.lastPrint = Date.now();
    }
  }

  /** Prints a message on its own line. */
  message(text: string): void {
    process.stderr.write(this.tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  /** Ends the bar. */
  done(): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
  }
}
