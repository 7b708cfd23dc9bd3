/** `trimllm resume RUN`: continue an interrupted run from its last checkpoint. */
import { parse, UsageError } from '../args.ts';
import { runWithSignals } from './trim.ts';

/** Help text of the command. */
export const help = `trimllm resume RUN [--data-dir DIR]
  Continues run RUN (interrupted by Ctrl-C, a crash or a kill) from its last checkpoint.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { 'data-dir': { type: 'string' }, backend: { type: 'string' } });
  const id = Number(positionals[0]);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError('missing RUN (a run id, see `trimllm runs`)');
  return runWithSignals(values['data-dir'], id, values.backend);
}
