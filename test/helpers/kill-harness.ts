/**
 * A harness for the crash-safety tests (test/reliability/crash-*.test.ts): runs the real `trimllm` CLI in a
 * child process with TRIMLLM_ANNOUNCE_PHASES=1 (electron/app/phase-announce.ts), follows the `@phase NAME
 * DETAIL` lines it prints on stderr, and SIGKILLs it from outside at a seeded random moment inside a chosen
 * phase window. Also: the checks every test runs on a workspace database after a kill.
 *
 * A phase window is the time between two announcements: its anchor (e.g. `checkpoint drop 1: -attn3`) and its
 * close (`checkpoint-saved drop 1: -attn3`). A kill "landed" in the window when the process died before it
 * announced the close: stderr is a pipe, written synchronously, so a close that was printed is always read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkIntegrity, closeDatabase, listCheckpoints, listRuns, loadCheckpointTensors, openDatabase, type Database,
} from '../../electron/store/index.ts';
import { repoPath, TEST_DB_KEY, TEST_KEY_ENV } from './shared.ts';

/** One `@phase` line, with the time it was read (milliseconds since the process was started). */
export interface PhaseEvent {
  /** `NAME DETAIL`, e.g. `train-done epoch 2`. */
  key: string;
  /** NAME alone, e.g. `train-done`. */
  name: string;
  atMs: number;
}

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `trimllm` child process whose phase announcements are recorded as they arrive. */
export class AnnouncedProcess {
  readonly events: PhaseEvent[] = [];
  stderr = '';
  stdout = '';
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private readonly started = performance.now();
  private readonly waiters = new Set<() => void>();
  private done = false;

  /** Starts `node bin/trimllm.mjs ...args` from the repository root, with phase announcements on (and the tests' workspace key unless `env` gives another). */
  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [repoPath('bin/trimllm.mjs'), ...args], {
      cwd: repoPath(''),
      env: { ...process.env, ...TEST_KEY_ENV, ...env, TRIMLLM_ANNOUNCE_PHASES: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const m = /^@phase (\S+)(?: (.*))?$/.exec(line);
        if (m) this.events.push({ key: m[2] ? `${m[1]} ${m[2]}` : m[1]!, name: m[1]!, atMs: performance.now() - this.started });
      }
      this.wake();
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.wake();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.done = true;
        this.wake();
        resolve({ code, signal });
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves with the first event with this key, or null when the process exits without announcing it. */
  async waitFor(key: string): Promise<PhaseEvent | null> {
    for (;;) {
      const found = this.events.find((e) => e.key === key);
      if (found) return found;
      if (this.done) return null;
      await new Promise<void>((resolve) => {
        const w = () => {
          this.waiters.delete(w);
          resolve();
        };
        this.waiters.add(w);
      });
    }
  }

  /** Whether the process announced `key`. */
  announced(key: string): boolean {
    return this.events.some((e) => e.key === key);
  }

  /** Sends SIGKILL (the process cannot catch it) and waits for the exit. */
  async kill(): Promise<Exit> {
    if (!this.done) this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** A phase window of a reference run: from its anchor announcement to its close. */
export interface PhaseWindow {
  /** The phase it belongs to (train, scan, checkpoint, import-read, import-write, generate). */
  phase: string;
  anchor: string;
  close: string;
  /** How long the window lasted in the reference run, in milliseconds. */
  durationMs: number;
}

/**
 * The windows of a reference run's announcements: each close event whose name is a key of `phaseOfClose`
 * makes a window with the event before it as anchor.
 */
export function phaseWindows(events: readonly PhaseEvent[], phaseOfClose: Record<string, string>): PhaseWindow[] {
  const out: PhaseWindow[] = [];
  for (let i = 1; i < events.length; i++) {
    const phase = phaseOfClose[events[i]!.name];
    if (phase) out.push({ phase, anchor: events[i - 1]!.key, close: events[i]!.key, durationMs: events[i]!.atMs - events[i - 1]!.atMs });
  }
  return out;
}

/** What one aimed kill did. */
export interface KillResult {
  window: PhaseWindow;
  /** Milliseconds between reading the anchor and sending SIGKILL. */
  delayMs: number;
  /** True when the process died before announcing the window's close. */
  landed: boolean;
  /** False when the process ended before reaching the anchor (nothing was killed). */
  killed: boolean;
  exit: Exit;
}

/**
 * Waits for `window.anchor`, sleeps a random fraction (`rand()`, up to `spread` of the reference duration), and
 * SIGKILLs the process.
 */
export async function killInWindow(proc: AnnouncedProcess, window: PhaseWindow, rand: () => number, spread = 0.9): Promise<KillResult> {
  const anchor = await proc.waitFor(window.anchor);
  if (!anchor) return { window, delayMs: 0, landed: false, killed: false, exit: await proc.exited };
  const delayMs = rand() * spread * window.durationMs;
  if (delayMs >= 1) await sleep(delayMs);
  const exit = await proc.kill();
  return { window, delayMs, landed: exit.signal === 'SIGKILL' && !proc.announced(window.close), killed: exit.signal === 'SIGKILL', exit };
}

/** A stored checkpoint as the audit saw it. */
export interface AuditedCheckpoint {
  id: number;
  runId: number;
  label: string;
  keep: boolean[];
  /** sha256 over the names, shapes and bytes of its param tensors, then of its optimizer tensors. */
  hash: string;
}

/** The audit of a workspace database. */
export interface WorkspaceAudit {
  /** `PRAGMA integrity_check` and `foreign_key_check` problems, and checkpoints that failed to load. */
  problems: string[];
  checkpoints: AuditedCheckpoint[];
}

/** Hashes a checkpoint's tensors (param, then optimizer) as loadCheckpointTensors reads them back. */
export function checkpointHash(db: Database, id: number): string {
  const h = createHash('sha256');
  for (const role of ['param', 'optimizer'] as const) {
    for (const t of loadCheckpointTensors(db, id, role)) {
      h.update(`${role}:${t.name}:${t.shape.join('x')};`);
      h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  }
  return h.digest('hex');
}

/**
 * Opens the database at `dbPath` (without marking any run interrupted), runs the integrity checks and loads every
 * tensor of every checkpoint of every run (a missing, repeated or short chunk makes the load throw).
 */
export function auditWorkspace(dbPath: string): WorkspaceAudit {
  const db = openDatabase(dbPath, { key: TEST_DB_KEY });
  try {
    const problems = checkIntegrity(db);
    const checkpoints: AuditedCheckpoint[] = [];
    for (const run of listRuns(db)) {
      for (const c of listCheckpoints(db, run.id)) {
        try {
          checkpoints.push({ id: c.id, runId: run.id, label: c.label, keep: [...c.keepMask], hash: checkpointHash(db, c.id) });
        } catch (e) {
          problems.push(`checkpoint ${c.id} "${c.label}": ${(e as Error).message}`);
        }
      }
    }
    return { problems, checkpoints };
  } finally {
    closeDatabase(db);
  }
}

/** Counts by key, e.g. kills per phase. */
export function tally<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}
