// `trimllm plan` for a run that writes a report: one GGUF file of the model is timed in llama.cpp and the report's
// six files (base and last checkpoint × F32/Q8_0/Q4_0) are planned from it; a file that cannot be written is said
// and left out of the plan, as the run leaves it out of its report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { importDataset } from '../../engine/data/import.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { QUANTIZED_DTYPES } from '../../engine/runtime/quantized-eval.ts';
import { planRun } from '../../engine/trim/plan.ts';
import { prepareTask, type PreparedTask } from '../../engine/trim/prepare.ts';
import { RunSettingsSchema } from '../../electron/api/run-settings.ts';
import { toRunConfig } from '../../electron/app/run-config.ts';
import { loadStories, sharedPath, STORIES_TOK } from '../helpers/shared.ts';

let base: LoadedModel;
let task: PreparedTask;
const config = toRunConfig(RunSettingsSchema.parse({ maxTrain: 8, maxEval: 8, calibrationSize: 4, maxEpochs: 1, healEpochs: 1, baselines: [] }), null);

before(async () => {
  base = await loadStories('wasm');
  const data = await importDataset(sharedPath('datasets/medmcqa/dev.json'));
  task = prepareTask(base.tokenizer!, data.taskType, data.records, { maxSeqLen: base.model.config.maxSeqLen, maxTrain: 8, maxEval: 8, seed: 0 });
});
after(() => base.model.dispose());

const ggufPhase = (plan: Awaited<ReturnType<typeof planRun>>) => plan.estimate.phases.find((p) => p.name === 'GGUF files')!.seconds;

test('a run with a report: one GGUF file timed, dtypes × (base + last checkpoint) files planned', async () => {
  const plan = await planRun(base.model, base.tokenizer!, task, config, { repeats: 1, ggufTokenizer: STORIES_TOK });
  const file = plan.units.ggufFile?.seconds ?? 0;
  assert.ok(file > 0, 'one GGUF file timed');
  assert.equal(plan.estimate.dropEpochs, 1);
  assert.equal(ggufPhase(plan), plan.units.ggufStart!.seconds + QUANTIZED_DTYPES.length * 2 * file, "llama.cpp's start once, then six files");
  const without = await planRun(base.model, base.tokenizer!, task, config, { repeats: 1 });
  assert.equal(without.units.ggufFile, undefined);
  assert.equal(without.units.ggufStart, undefined);
  assert.equal(ggufPhase(without), 0, 'no report, no GGUF files');
});

test('a GGUF file that cannot be written is said and left out of the plan', async () => {
  const messages: string[] = [];
  const plan = await planRun(base.model, base.tokenizer!, task, config, { repeats: 1, ggufTokenizer: '/nonexistent/tok512.bin', onMessage: (m) => messages.push(m) });
  assert.equal(ggufPhase(plan), 0);
  assert.match(messages.join('\n'), /GGUF files not timed, and the run's report will skip them: .*nonexistent/);
  assert.ok(plan.estimate.seconds > 0);
});
