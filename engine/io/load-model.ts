/**
 * One entry point to load a model and its tokenizer from disk, whatever the format:
 * a llama2.c `.bin` checkpoint (with a llama2.c tokenizer beside it or given), or a Hugging Face folder
 * (config.json + model.safetensors or a sharded index + tokenizer.json). PyTorch pickle files are refused.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readLlama2c } from './llama2c.ts';
import { readLlama2cTokenizer } from './llama2c-tokenizer.ts';
import { InputFileError, tokenizerMismatch } from './errors.ts';
import type { Tokenizer } from './tokenizer.ts';
import { buildWeights } from '../model/weights.ts';
import { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';
import { assertNotPickle } from './safetensors.ts';
import { readHfFolder } from './hf-folder.ts';
import { resolveModelPath } from './model-path.ts';
import { loadHfTokenizer } from './hf-tokenizer.ts';
import { assertModelFitsBackend } from '../backend/select.ts';

/** A loaded model, its tokenizer and where they came from. */
export interface LoadedModel {
  model: LlamaModel;
  /** The tokenizer, or null when none was found or given. */
  tokenizer: Tokenizer | null;
  /** 'llama2c' for a .bin checkpoint, 'hf' for a Hugging Face folder. */
  format: 'llama2c' | 'hf';
  /** The path the model was loaded from. */
  path: string;
  /** The tokenizer file or folder used, or null. */
  tokenizerPath: string | null;
}

/** Options of loadModel. */
export interface LoadModelOptions {
  /** Tokenizer file or folder; default: found beside the model. */
  tokenizer?: string;
  /** Keep mask to start from (default: the one recorded in the checkpoint, else all kept). */
  keep?: KeepMask;
}

/**
 * Loads a tokenizer from a llama2.c `.bin` file or a Hugging Face folder / tokenizer.json.
 * @param vocabSize the model's vocabulary size (llama2.c tokenizer files do not store it)
 * @throws InputFileError naming the file when it is missing or malformed, or has more tokens than `vocabSize`
 */
export async function loadTokenizer(path: string, vocabSize: number): Promise<Tokenizer> {
  if (!existsSync(path)) throw new InputFileError(path, 'tokenizer not found');
  const folder = statSync(path).isDirectory();
  const tokenizer = folder || path.endsWith('.json')
    ? await loadHfTokenizer(folder ? path : dirname(path))
    : readLlama2cTokenizer(path, vocabSize);
  if (tokenizer.vocabSize > vocabSize) throw tokenizerMismatch(path, tokenizer.vocabSize, vocabSize);
  return tokenizer;
}

function llama2cTokenizerBeside(modelPath: string, vocabSize: number): string | null {
  const dir = dirname(modelPath);
  for (const name of [`tok${vocabSize}.bin`, 'tokenizer.bin']) {
    // tokenizer.bin is also what exportHfFolder writes for a llama2.c tokenizer
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * Loads a model (and its tokenizer when one is found) from a llama2.c file, a folder holding one, or a Hugging
 * Face folder (resolveModelPath).
 * @throws InputFileError naming the file and the problem: missing path, pickle file, malformed checkpoint,
 *   config or tokenizer; Error when a tensor is too large for the active webgpu adapter (assertModelFitsBackend)
 */
export async function loadModel(given: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const path = resolveModelPath(given);
  if (!existsSync(path)) throw new InputFileError(path, 'no such file or folder');
  if (statSync(path).isDirectory()) {
    const folder = readHfFolder(path);
    assertModelFitsBackend(folder.config, path);
    const model = new LlamaModel(folder.config, buildWeights(folder.config, folder.source), options.keep ?? folder.keep);
    try {
      const tokenizerPath =
        options.tokenizer ??
        (existsSync(join(path, 'tokenizer.json')) ? path : llama2cTokenizerBeside(join(path, 'config.json'), folder.config.vocabSize));
      const tokenizer = tokenizerPath ? await loadTokenizer(tokenizerPath, folder.config.vocabSize) : null;
      return { model, tokenizer, format: 'hf', path, tokenizerPath };
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  assertNotPickle(path);
  const checkpoint = readLlama2c(path);
  assertModelFitsBackend(checkpoint.config, path);
  const tokPath = options.tokenizer ?? llama2cTokenizerBeside(path, checkpoint.config.vocabSize);
  const tokenizer = tokPath ? await loadTokenizer(tokPath, checkpoint.config.vocabSize) : null;
  const model = new LlamaModel(checkpoint.config, buildWeights(checkpoint.config, checkpoint.source), options.keep);
  return { model, tokenizer, format: 'llama2c', path, tokenizerPath: tokPath };
}
