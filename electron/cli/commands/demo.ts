/**
 * `trimllm demo` (`npm run demo`): the whole loop on a tiny model in a few minutes — fetch stories260K (or use
 * TRIMLLM_DEMO_MODEL_DIR), import the bundled story-QA dataset, trim to 50% of sub-layers with a full fine-tune
 * beside it, evaluate base / fine-tuned / every TrimLLM checkpoint, benchmark them, write the report, and chat
 * briefly with the trimmed model.
 */
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { ensureDemoModel } from '../../hub/index.ts';
import { closeDatabase, listCheckpoints, listRuns } from '../../store/index.ts';
import { formatDuration } from '../progress.ts';
import { parse } from '../args.ts';
import { dataDir, openWorkspace } from '../../app/workspace.ts';
import { run as trim } from './trim.ts';
import { isBaselineCheckpoint } from '../../app/execute-run.ts';
import { run as generate } from './generate.ts';
import { readReport } from '../../../engine/report/write.ts';

/** Help text of the command. */
export const help = `trimllm demo [--report-dir DIR] [--data-dir DIR] [--backend NAME]
  Downloads karpathy's stories260K (sha256-verified; set TRIMLLM_DEMO_MODEL_DIR to a folder holding
  stories260K.bin and tok512.bin to skip the download), trims it on the bundled story-QA dataset to 50% of its
  sub-layers, compares with the base model and a full fine-tune, writes the report and chats with the result.`;

const DEMO_DATA = fileURLToPath(new URL('../../../resources/demo/story-qa.jsonl', import.meta.url));

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    'report-dir': { type: 'string', default: 'trimllm-demo-report' }, 'data-dir': { type: 'string' }, backend: { type: 'string' },
  });
  const started = Date.now();
  const workspace = dataDir(values['data-dir']);
  console.log('1/4  demo model: karpathy/tinyllamas stories260K (260K parameters, 5 blocks = 10 sub-layers)');
  const paths = await ensureDemoModel(join(workspace, 'models', 'stories260K'), {
    onProgress: (p) => {
      if (!process.stderr.isTTY) return;
      const pct = p.total ? ` ${((100 * p.bytes) / p.total).toFixed(0)}%` : '';
      process.stderr.write(`\r     ${p.file}${pct} ${(p.bytes / 1024).toFixed(0)} KiB, ETA ${formatDuration(p.etaSeconds ?? NaN)}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log(`     ${paths.modelPath} (sha256 verified)`);
  console.log('2/4  trim on the bundled story-QA dataset (multiple choice) to 50% of sub-layers, with a full fine-tune');
  const reportDir = resolve(values['report-dir']!);
  const common = values['data-dir'] ? ['--data-dir', values['data-dir']] : [];
  const backend = values.backend ? ['--backend', values.backend] : [];
  const code = await trim([
    '--model', paths.modelPath, '--tokenizer', paths.tokenizerPath, '--data', DEMO_DATA, '--report-dir', reportDir,
    '--target', '0.5', '--baselines', 'full-finetune', '--baseline-epochs', '4', '--heal-epochs', '3',
    '--max-train', '240', '--max-eval', '60', '--calibration', '24', '--lr', '2e-3', ...common, ...backend,
  ]);
  if (code !== 0) return code;
  const db = openWorkspace(values['data-dir']);
  let checkpoint: number;
  try {
    const runId = listRuns(db)[0]!.id;
    checkpoint = listCheckpoints(db, runId).filter((c) => !isBaselineCheckpoint(c.metrics)).at(-1)!.id;
  } finally {
    closeDatabase(db);
  }
  console.log(`3/4  report: ${join(reportDir, 'report.md')} (plots: loss.svg, layer-map.svg, frontier.svg)`);
  const report = await readReport(join(reportDir, 'report.json'));
  for (const e of report.entries.filter((x) => x.kind !== 'trimllm' || x === report.entries.filter((y) => y.kind === 'trimllm').at(-1))) {
    console.log(`     ${e.name.padEnd(28)} kept ${String(e.kept.length).padStart(2)}/${2 * report.nLayers}  acc ${(100 * e.performance).toFixed(1).padStart(5)}%  ` +
      `${(e.paramBytes / 1024).toFixed(0).padStart(5)} KiB  ${e.decodeTokensPerSecond.toFixed(0).padStart(5)} tokens/s`);
  }
  console.log(`4/4  ask the trimmed model a question in the format it was fine-tuned on (checkpoint ${checkpoint}):`);
  console.log('     (the accuracy above comes from picking the likeliest of the given answers; writing a fluent answer is');
  console.log('     far harder, and a 260K-parameter model mostly cannot: expect broken text here. A larger model does better.)');
  await generate([
    '--checkpoint', String(checkpoint), ...common, ...backend, '--temperature', '0', '--max-tokens', '12', '--stop', '\n',
    '--prompt', 'Question: Lily had a red ball and Tom had a blue kite. What did Lily have?\nAnswer:',
  ]);
  console.log(`\ndone in ${formatDuration((Date.now() - started) / 1000)}. Report: ${join(reportDir, 'report.md')}`);
  return 0;
}
