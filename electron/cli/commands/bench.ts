/** `trimllm bench`: prefill/decode tokens/s and parameter memory, full vs trimmed, side by side. */
import { benchmarkThroughput } from '../../../engine/eval/throughput.ts';
import { flopsPerToken } from '../../../engine/model/params.ts';
import { fullKeepMask, keptNames } from '../../../engine/model/sublayers.ts';
import { loadModelFromFlags, MODEL_OPTIONS, numberOption, parse } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm bench (--model M | --checkpoint ID) [--drop ...] [--prompt-tokens 128] [--new-tokens 128]
               [--runs 5] [--json]
  Measures the full model and the trimmed one (the checkpoint's keep mask and/or --drop) in one process:
  prefill and decode tokens/s (batch 1, KV cache, warm-up excluded, median of runs), parameter bytes, and the
  measured speed-up next to the ideal one (FLOPs per token, full / trimmed).`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS, 'prompt-tokens': { type: 'string' }, 'new-tokens': { type: 'string' }, runs: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const loaded = await loadModelFromFlags(values);
  try {
    const { model } = loaded;
    const options = {
      promptTokens: numberOption(values['prompt-tokens'], 'prompt-tokens', 128),
      newTokens: numberOption(values['new-tokens'], 'new-tokens', 128),
      runs: numberOption(values.runs, 'runs', 5),
    };
    const masks = [
      { name: 'full', keep: fullKeepMask(model.config.nLayers) },
      { name: 'trimmed', keep: model.keepMask },
    ];
    const rows = [];
    for (const m of masks) {
      const r = await benchmarkThroughput(model, { ...options, keep: m.keep });
      rows.push({ name: m.name, kept: keptNames(m.keep).length, ...r, flops: flopsPerToken(model.config, m.keep, options.promptTokens + options.newTokens / 2) });
    }
    const [full, trimmed] = rows as [(typeof rows)[0], (typeof rows)[0]];
    const summary = {
      rows,
      measuredDecodeSpeedup: trimmed.decodeTokensPerSecond / full.decodeTokensPerSecond,
      idealSpeedup: full.flops / trimmed.flops,
    };
    if (values.json) {
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    console.log(`${'model'.padEnd(9)}${'kept'.padStart(6)}${'param bytes'.padStart(14)}${'prefill tok/s'.padStart(15)}${'decode tok/s'.padStart(14)}${'decode spread'.padStart(18)}`);
    for (const r of rows) {
      const spread = `${r.spread.decodeTokensPerSecond.min.toFixed(0)}–${r.spread.decodeTokensPerSecond.max.toFixed(0)}`;
      console.log(`${r.name.padEnd(9)}${`${r.kept}/${2 * model.config.nLayers}`.padStart(6)}${r.paramBytes.toLocaleString('en').padStart(14)}${r.prefillTokensPerSecond.toFixed(1).padStart(15)}${r.decodeTokensPerSecond.toFixed(1).padStart(14)}${spread.padStart(18)}`);
    }
    console.log(`decode speed-up: measured ${summary.measuredDecodeSpeedup.toFixed(2)}×, ideal (FLOPs) ${summary.idealSpeedup.toFixed(2)}×, ratio ${(summary.measuredDecodeSpeedup / summary.idealSpeedup).toFixed(2)} (backend ${full.backend}, median of ${options.runs})`);
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
