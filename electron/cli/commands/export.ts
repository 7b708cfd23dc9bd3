/** `trimllm export`: write a model (with --drop applied) as a Hugging Face folder. */
import { exportHfFolder } from '../../../engine/io/export.ts';
import { droppedNames } from '../../../engine/model/sublayers.ts';
import { withUserUmask } from '../../store/index.ts';
import { loadModelFromFlags, MODEL_OPTIONS, parse, required, UsageError } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm export --model M [--tokenizer T] [--drop attn2,mlp0] --out DIR [--dtype F32|BF16]
  Writes config.json (with the keep mask as drop_attn_list/drop_mlp_list and block_configs), model.safetensors
  and the tokenizer files, with your usual file modes: an export is not encrypted.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...MODEL_OPTIONS, out: { type: 'string' }, dtype: { type: 'string', default: 'F32' } });
  const out = required(values.out, 'out');
  const dtype = values.dtype?.toUpperCase();
  if (dtype !== 'F32' && dtype !== 'BF16') throw new UsageError(`--dtype must be F32 or BF16, got "${values.dtype}"`);
  const loaded = await loadModelFromFlags(values);
  try {
    const tokenizerSource = values.tokenizer ?? (loaded.format === 'hf' ? loaded.path : loaded.tokenizerPath ?? undefined);
    const bytes = await withUserUmask(() => exportHfFolder(loaded.model, loaded.tokenizer, out, {
      dtype,
      ...(tokenizerSource ? { tokenizerSource } : {}),
    }));
    const dropped = droppedNames(loaded.model.keepMask);
    console.log(`wrote ${out} (${dtype}, ${(bytes / 1024).toFixed(1)} KiB of weights${dropped.length ? `, dropped ${dropped.join(',')}` : ''})`);
    if (loaded.format === 'llama2c' && tokenizerSource && !tokenizerSource.endsWith('.json')) {
      console.log('the llama2.c tokenizer is copied as it is (tokenizer.bin; no tokenizer.json): trimllm reads it back, Hugging Face tools do not');
    }
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
