/**
 * Export of a loaded (possibly trimmed) model as a Hugging Face-style folder: config.json (recording the keep
 * mask, keep-mask-config.ts), model.safetensors (F32 or BF16; tensors of dropped sub-layers left out, so the
 * file shrinks with the model), generation_config.json, and the tokenizer files. The folder is written under a
 * temporary name and renamed at the end, so an interrupted export never leaves a half-written model.
 */
import { chmodSync, copyFileSync, existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { makeFolder } from './folders.ts';
import { basename, dirname, join } from 'node:path';
import { hfConfigFromLlama } from './hf-config.ts';
import { keepMaskFields } from './keep-mask-config.ts';
import { writeSafetensors } from './safetensors.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { LlamaModel } from '../model/llama.ts';
import { namedWeights, readHfTensor } from '../model/weights.ts';
import { maskIndex, parseSubLayer } from '../model/sublayers.ts';

/** Options of exportHfFolder. */
export interface ExportOptions {
  /** Stored weight dtype. Default F32. */
  dtype?: 'F32' | 'BF16';
  /** Where the tokenizer came from: a HF folder (its tokenizer files are copied) or a llama2.c .bin file. */
  tokenizerSource?: string;
}

const HF_TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.model'];

/** Copies a file and makes the copy 0644 (a read-only source, e.g. ../shared, must not give a read-only export). */
function copyWritable(from: string, to: string): void {
  copyFileSync(from, to);
  chmodSync(to, 0o644);
}

function copyTokenizer(source: string, dest: string): void {
  if (statSync(source).isDirectory()) {
    for (const f of HF_TOKENIZER_FILES) if (existsSync(join(source, f))) copyWritable(join(source, f), join(dest, f));
  } else if (basename(source).endsWith('.json')) {
    copyTokenizer(dirname(source), dest);
  } else {
    // A llama2.c tokenizer is copied as it is (no tokenizer.json is made from it); loadModel reads it back.
    copyWritable(source, join(dest, 'tokenizer.bin'));
  }
}

/**
 * Writes the model to outDir.
 * @param outDir must not exist, or be an empty folder
 * @returns the bytes written to model.safetensors
 * @throws Error when outDir is a file, or exists and is not empty
 */
export async function exportHfFolder(
  model: LlamaModel,
  tokenizer: Tokenizer | null,
  outDir: string,
  options: ExportOptions = {},
): Promise<number> {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new Error(`${outDir}: is a file, not a folder; choose a new folder`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new Error(`${outDir}: export folder exists and is not empty; choose a new folder`);
  }
  const dtype = options.dtype ?? 'F32';
  const temp = `${outDir}.partial-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  makeFolder(temp);
  try {
    const keep = model.keepMask;
    const tensors = [];
    for (const w of namedWeights(model.weights)) {
      if (w.subLayer && !keep[maskIndex(parseSubLayer(w.subLayer, model.config.nLayers))]) continue;
      tensors.push({ name: w.hfName, ...(await readHfTensor(w)) });
    }
    const file = join(temp, 'model.safetensors');
    writeSafetensors(file, tensors, { dtype, metadata: { format: 'pt' } });
    const config = {
      ...hfConfigFromLlama(model.config),
      torch_dtype: dtype === 'BF16' ? 'bfloat16' : 'float32',
      bos_token_id: tokenizer?.bosId ?? null,
      eos_token_id: tokenizer?.eosIds[0] ?? null,
      ...keepMaskFields(keep),
    };
    writeFileSync(join(temp, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    writeFileSync(
      join(temp, 'generation_config.json'),
      JSON.stringify({ bos_token_id: config.bos_token_id, eos_token_id: tokenizer?.eosIds ?? null }, null, 2) + '\n',
    );
    if (options.tokenizerSource) copyTokenizer(options.tokenizerSource, temp);
    const bytes = statSync(file).size;
    rmSync(outDir, { recursive: true, force: true });
    renameSync(temp, outDir);
    return bytes;
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}
