/**
 * Lets the event loop turn once (a macrotask). tfjs's awaits resolve as microtasks, so without this a process
 * running the engine would read its IPC messages (a cancel), run its signal handlers (Ctrl-C) and flush its own
 * progress events only after the run; called after every optimizer step and every scan candidate, it costs
 * microseconds.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((done) => setImmediate(done));
}
