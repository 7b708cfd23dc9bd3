/**
 * Cancel requests as files (see protocol.ts for why): one empty file per cancelled job in a private temporary
 * folder that the runner creates on first use and removes when it closes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The cancel files of one runner. */
export class CancelFiles {
  private dir: string | null = null;

  /** Where the worker looks for a request to cancel job `jobId`. */
  path(jobId: string): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'trimllm-jobs-'));
    return join(this.dir, `${jobId}.cancel`);
  }

  /** Requests the cancel. @returns false when the file could not be written (a full disk) */
  request(jobId: string): boolean {
    try {
      writeFileSync(this.path(jobId), '');
      return true;
    } catch {
      return false;
    }
  }

  /** Removes a finished job's file. */
  forget(jobId: string): void {
    if (this.dir) rmSync(join(this.dir, `${jobId}.cancel`), { force: true });
  }

  /** Removes the folder. */
  dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
