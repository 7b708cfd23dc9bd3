/**
 * How the application layer reports what it does: use cases call these hooks and never print. Each face
 * formats them its own way (the CLI draws a progress line on stderr, a worker sends job events, the server
 * forwards them over its WebSocket).
 */

/** A training step of any phase of a run (TrimLLM's epochs, a baseline's training). */
export interface StepProgress {
  /** 'trimllm', or a baseline's name. */
  phase: string;
  epoch: number;
  /** Examples of the epoch done so far and in all. */
  done: number;
  total: number;
  loss: number;
}

/** Hooks a use case calls; every one is optional. */
export interface AppEvents {
  /** A line of progress text (phase changes, measurements, skipped records, reused imports). */
  onMessage?(text: string): void;
  /** A training step (every step of every phase). */
  onProgress?(p: StepProgress): void;
}
