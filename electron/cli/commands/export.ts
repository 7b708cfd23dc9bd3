/** `trimllm export`: write a model or checkpoint (with --drop applied) as a Hugging Face folder or a GGUF file. */
import { droppedNames } from '../../../engine/model/sublayers.ts';
import { EXPORT_DTYPES, exportLoadedModel, type ExportFormat } from '../../app/export-model.ts';
import { loadModelFromFlags, MODEL_OPTIONS, parse, required, UsageError } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm export (--model M [--tokenizer T] | --checkpoint ID) [--drop attn2,mlp0] --format hf|gguf
                [--dtype F32|BF16 (hf) | F32|F16|Q8_0|Q4_0 (gguf)] [--name NAME] --out PATH
  hf:   writes the folder PATH: config.json (with the keep mask as drop_attn_list/drop_mlp_list and
        block_configs), model.safetensors and the tokenizer files.
  gguf: writes one file for llama.cpp, Ollama and LM Studio (PATH.gguf, or NAME-DTYPE.gguf inside the folder PATH)
        and a Modelfile beside it; prints the line that imports it into Ollama and LM Studio's models folder.
  Exports get your usual file modes: they are not encrypted.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS, out: { type: 'string' }, dtype: { type: 'string', default: 'F32' },
    format: { type: 'string', default: 'hf' }, name: { type: 'string' },
  });
  const out = required(values.out, 'out');
  const format = values.format as ExportFormat;
  if (!(format in EXPORT_DTYPES)) throw new UsageError(`--format must be hf or gguf, got "${values.format}"`);
  const dtype = values.dtype!.toUpperCase();
  if (!EXPORT_DTYPES[format].includes(dtype)) {
    throw new UsageError(`--dtype for ${format} must be one of ${EXPORT_DTYPES[format].join(', ')}, got "${values.dtype}"`);
  }
  const loaded = await loadModelFromFlags(values);
  try {
    const result = await exportLoadedModel(loaded, { format, dtype, destination: out, ...(values.name ? { name: values.name } : {}) });
    const dropped = droppedNames(loaded.model.keepMask);
    console.log(`wrote ${result.path} (${dtype}, ${(result.bytes / 1024).toFixed(1)} KiB${dropped.length ? `, dropped ${dropped.join(',')}` : ''})`);
    for (const note of result.notes) console.log(`  ${note}`);
    if (result.modelfile) {
      console.log(`Ollama:    ${result.ollamaCommand}`);
      console.log(`LM Studio: copy the .gguf into a folder under ${result.lmStudioFolder}/<publisher>/<model>/`);
    }
    if (format === 'hf' && loaded.format === 'llama2c' && loaded.tokenizerPath && !loaded.tokenizerPath.endsWith('.json')) {
      console.log('the llama2.c tokenizer is copied as it is (tokenizer.bin; no tokenizer.json): trimllm reads it back, Hugging Face tools do not');
    }
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
