/** `trimllm import-data PATH`: import a dataset (detected or mapped task type) into the workspace. */
import { TASK_TYPES, type TaskType } from '../../../engine/data/index.ts';
import { closeDatabase } from '../../store/index.ts';
import { registerDataset } from '../../app/import-dataset.ts';
import { openWorkspace } from '../../app/workspace.ts';
import { parse, UsageError } from '../args.ts';
import { stderrEvents } from './import-model.ts';

/** Help text of the command. */
export const help = `trimllm import-data PATH [--task mcq|yesno|instruction|chat|text] [--map field=source,...]
                    [--name NAME] [--data-dir DIR] [--max-rows N] [--max-record-mb M]
  Reads JSONL, JSON, CSV/TSV, Parquet or text (a file or a folder of them), detects the task type and field
  mapping (override with --task/--map, e.g. --map question=goal,choices=sol1|sol2,answer=label), splits
  train/validation/test, and stores the normalised records. Records that do not fit are listed and skipped.
  Limits: at most --max-rows records per file (default 1000000) and --max-record-mb MB per record (default 16).`;

/**
 * Checks the --task/--map flags before any work.
 * @throws UsageError for an unknown task type or a mapping without a task type
 */
export function checkTaskFlags(values: { task?: string; map?: string }): void {
  if (values.task && !TASK_TYPES.includes(values.task as TaskType)) throw new UsageError(`--task must be one of ${TASK_TYPES.join(', ')}`);
  if (values.map && !values.task) throw new UsageError('--map needs --task (the task type the fields map onto)');
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    task: { type: 'string' }, map: { type: 'string' }, name: { type: 'string' }, 'data-dir': { type: 'string' },
    'max-rows': { type: 'string' }, 'max-record-mb': { type: 'string' },
  });
  const positive = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a positive number, got ${v}`);
    return n;
  };
  const limits = { maxRows: positive('max-rows', values['max-rows']), maxRecordMb: positive('max-record-mb', values['max-record-mb']) };
  const path = positionals[0];
  if (!path) throw new UsageError('missing PATH of the dataset');
  checkTaskFlags(values);
  const db = openWorkspace(values['data-dir']);
  try {
    const id = await registerDataset(db, path, { ...values, ...limits }, stderrEvents);
    console.log(`dataset ${id}`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}
