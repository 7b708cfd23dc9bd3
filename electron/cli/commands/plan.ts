/**
 * `trimllm plan`: takes the flags of `trim`, measures one training step, one scan candidate, one evaluation batch,
 * one decode run and (with a report directory) one GGUF file on this machine (engine/trim/plan-measure.ts), and prints the predicted wall time of the
 * whole run phase by phase with its uncertainty (engine/trim/estimate.ts), the dominant cost, and the training
 * step's memory against the backend's limit (engine/train/memory.ts) with what would fit when it does not.
 * Nothing is trained or stored except the model and dataset imports `trim` would make too.
 */
import { selectBackend, parseBackendName } from '../../../engine/backend/select.ts';
import { describeStepMemory } from '../../../engine/train/memory.ts';
import type { RunEstimate } from '../../../engine/trim/estimate.ts';
import { describePlan } from '../../../engine/trim/plan.ts';
import { formatDuration as duration } from '../../../engine/report/duration.ts';
import { closeDatabase, getDataset, getModel } from '../../store/index.ts';
import { planStoredRun } from '../../app/run-plan.ts';
import { openForRun, parseTrimArgs, registerInputs } from './trim.ts';

/** Help text of the command. */
export const help = `trimllm plan --model M --data D [every flag of trim]
  Measures one training step, one scan candidate, one evaluation batch and one decode run on this machine
  (a few seconds; with --report-dir also one GGUF file in llama.cpp), then prints the predicted time of the whole
  run (epochs, scans, healing, baselines, report, GGUF files) with its uncertainty, which part costs most, and
  whether a training step fits the backend's memory.`;

/** `1 drop epoch`, `2 drop epochs`. */
const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The printed plan. */
export function formatPlan(e: RunEstimate): string {
  const lines = [
    `predicted time: ${duration(e.seconds)} ± ${duration(e.uncertainty)} (${count(e.dropEpochs, 'drop epoch')}, ` +
      `${count(e.healEpochs, 'healing epoch')}, ${count(e.stepsPerEpoch, 'step')} per epoch)`,
    ...e.phases.filter((p) => p.seconds > 0).map((p) => `  ${p.name.padEnd(24)} ${duration(p.seconds).padStart(9)} ± ${duration(p.uncertainty)}`),
    `most of the time goes to: ${e.dominant}`,
  ];
  return lines.join('\n');
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseTrimArgs(argv);
  const { values, config } = parsed;
  await selectBackend(values.backend ? parseBackendName(values.backend) : undefined);
  const db = openForRun(values['data-dir']);
  try {
    const { modelId, datasetId } = await registerInputs(db, parsed);
    const plan = await planStoredRun(db, getModel(db, modelId)!, getDataset(db, datasetId)!, config, { onNote: (note) => console.log(note) });
    const { units, shape, estimate, step, fit, threads } = plan;
    console.log(`measured in ${plan.measuredSeconds.toFixed(1)} s on ${plan.backend}, ${threads} thread${threads > 1 ? 's' : ''}: ` +
      `training step ${units.trainStep.seconds.toFixed(2)} s, scan candidate ${units.scanCandidate.seconds.toFixed(2)} s, ` +
      `evaluation batch ${units.evalBatch.seconds.toFixed(2)} s, decode run ${units.decode.seconds.toFixed(2)} s` +
      (units.ggufFile ? `, one GGUF file ${units.ggufFile.seconds.toFixed(1)} s (export, llama.cpp test split and decode)` : ''));
    console.log(`data: ${count(shape.trainExamples, 'training example')}, ${count(shape.validationItems, 'validation item')} and ` +
      `${count(shape.testItems, 'test item')}`);
    console.log(formatPlan(estimate));
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    console.log(`memory of the largest training step (${step.batch} × ${step.seq} tokens, every sub-layer trainable): ${gib(fit.memory.total)} accounted ` +
      `(${describeStepMemory(fit.memory)})`);
    if (plan.backend === 'wasm') console.log(fit.fits ? `fits the wasm backend's ${gib(fit.heapBytes)}` : `does not fit: ${fit.message}`);
    console.log(`in short: ${describePlan(plan)}`);
    console.log(`predicted_seconds=${estimate.seconds.toFixed(1)}`);
  } finally {
    closeDatabase(db);
  }
  return 0;
}
