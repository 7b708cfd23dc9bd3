/**
 * A debug hook for the crash-safety tests (test/reliability/crash-*.test.ts): with `TRIMLLM_ANNOUNCE_PHASES=1`
 * in the environment, long CLI jobs print one line `@phase NAME [DETAIL]` on stderr as they enter and leave the
 * phases worth killing them in (dataset import, training, calibration scan, checkpoint writing, generation).
 * It only announces: it never waits, sleeps or changes what the job does. Without the variable it does nothing.
 *
 * stderr is written synchronously when it is a pipe or a file (Node on Linux), so a line that was printed
 * is in the pipe before the job goes on: a harness that sees `@phase checkpoint` and sends SIGKILL hits the
 * checkpoint write or what follows, never what came before.
 */

const enabled = process.env.TRIMLLM_ANNOUNCE_PHASES === '1';

/** Prints `@phase NAME DETAIL` on stderr when TRIMLLM_ANNOUNCE_PHASES=1; otherwise does nothing. */
export function announcePhase(name: string, detail = ''): void {
  if (enabled) process.stderr.write(`@phase ${name}${detail ? ` ${detail}` : ''}\n`);
}
