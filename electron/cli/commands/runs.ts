/** `trimllm runs`: list runs with status and checkpoints. */
import { closeDatabase, listCheckpoints, listRuns } from '../../store/index.ts';
import { keptNames } from '../../../engine/model/sublayers.ts';
import { parse } from '../args.ts';
import { openWorkspace } from '../../app/workspace.ts';

/** Help text of the command. */
export const help = `trimllm runs [--data-dir DIR] [--json]
  Lists runs (status, backend, why a run failed or stopped) and each run's checkpoints (label, kept sub-layers).`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } });
  const db = openWorkspace(values['data-dir']);
  try {
    const runs = listRuns(db).map((r) => ({
      ...r,
      checkpoints: listCheckpoints(db, r.id).map((c) => ({ id: c.id, label: c.label, step: c.step, kept: keptNames(c.keepMask) })),
    }));
    if (values.json) {
      console.log(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (runs.length === 0) console.log('no runs yet: start one with `trimllm trim --model M --data D`');
    for (const r of runs) {
      console.log(`run ${r.id}  ${r.status}  backend ${r.backend ?? '-'}  ${r.checkpoints.length} checkpoints`);
      if (r.error) console.log(`   ${r.status === 'failed' ? 'failed' : 'stopped'}: ${r.error.split('\n')[0]}`);
      for (const c of r.checkpoints) console.log(`   ${String(c.id).padStart(4)}  ${c.label}  kept ${c.kept.length}: ${c.kept.join(',')}`);
    }
    return 0;
  } finally {
    closeDatabase(db);
  }
}
