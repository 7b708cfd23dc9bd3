/** `trimllm inspect MODEL`: config, parameters and bytes per sub-layer, total. */
import { parameterBreakdown } from '../../../engine/model/params.ts';
import { loadModelFromFlags, MODEL_OPTIONS, parse, UsageError } from '../args.ts';
import { droppedNames } from '../../../engine/model/sublayers.ts';

/** Help text of the command. */
export const help = `trimllm inspect MODEL [--json]
  Prints the model's config, parameter count and bytes (float32) per sub-layer, and the total.`;

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...MODEL_OPTIONS, json: { type: 'boolean', default: false } });
  const path = positionals[0] ?? values.model;
  if (!path && !values.checkpoint) throw new UsageError('missing MODEL (a llama2.c .bin file or a Hugging Face folder) or --checkpoint ID');
  const loaded = await loadModelFromFlags({ ...values, ...(path ? { model: path } : {}) });
  try {
    const { config } = loaded.model;
    const breakdown = parameterBreakdown(config);
    const dropped = droppedNames(loaded.model.keepMask);
    if (values.json) {
      console.log(JSON.stringify({ path: loaded.path, format: loaded.format, config, dropped, parameters: breakdown }, null, 2));
      return 0;
    }
    console.log(`${loaded.path} (${loaded.format})${values.checkpoint ? `, checkpoint ${values.checkpoint}` : ''}`);
    for (const [k, v] of Object.entries(config)) console.log(`  ${k.padEnd(16)}${String(v)}`);
    console.log(`\n  ${'sub-layer'.padEnd(10)}${'parameters'.padStart(14)}${'bytes'.padStart(12)}`);
    for (const s of breakdown.subLayers) {
      const mark = dropped.includes(s.name) ? '  (dropped)' : '';
      console.log(`  ${s.name.padEnd(10)}${s.parameters.toLocaleString('en').padStart(14)}${formatBytes(s.bytes).padStart(12)}${mark}`);
    }
    console.log(`  ${'shared'.padEnd(10)}${breakdown.shared.parameters.toLocaleString('en').padStart(14)}${formatBytes(breakdown.shared.bytes).padStart(12)}  (embedding, final norm, head)`);
    console.log(`  ${'total'.padEnd(10)}${breakdown.total.parameters.toLocaleString('en').padStart(14)}${formatBytes(breakdown.total.bytes).padStart(12)}`);
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
