/**
 * Reading a Hugging Face model folder: config.json (with an optional recorded keep mask) and the weights of
 * model.safetensors or a sharded index, converted to float32 and validated against the config's shapes.
 * Tensors of dropped sub-layers may be absent (a trimmed export leaves them out); they are filled with zeros
 * and never read, because the keep mask skips them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigJsonText, parseHfConfig } from './hf-config.ts';
import { openSafetensorsCheckpoint } from './safetensors-sharded.ts';
import { keepMaskFromConfig } from './keep-mask-config.ts';
import { InputFileError } from './errors.ts';
import { describePickle, sniffPickle } from './pickle-guard.ts';
import type { LlamaConfig } from '../model/config.ts';
import type { TensorSource } from '../model/weights.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** A parsed Hugging Face folder, ready for buildWeights. */
export interface HfFolder {
  config: LlamaConfig;
  keep: KeepMask;
  source: TensorSource;
  /** Dtype of the first weight (F32, F16, BF16), for reports. */
  dtype: string;
}

function readConfigJson(dir: string): Record<string, unknown> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputFileError(file, 'missing: a Hugging Face model folder needs config.json');
  }
  return parseConfigJsonText(text, file);
}

/** Which sub-layer a Hugging Face tensor belongs to, as a keep-mask index, or -1 for shared weights. */
function maskIndexOfTensor(name: string): number {
  const m = /^model\.layers\.(\d+)\.(self_attn|input_layernorm|mlp|post_attention_layernorm)/.exec(name);
  if (!m) return -1;
  return 2 * Number(m[1]) + (m[2] === 'self_attn' || m[2] === 'input_layernorm' ? 0 : 1);
}

/**
 * A folder whose weights are only PyTorch pickle files (`pytorch_model.bin`, shards, `.pt`, `.pth`) is refused
 * with the pickle message (how to convert), rather than "no model.safetensors".
 * @throws InputFileError naming the pickle file
 */
function refusePickleOnly(dir: string): void {
  const files = readdirSync(dir);
  if (files.some((f) => f.endsWith('.safetensors') || f.endsWith('.safetensors.index.json'))) return;
  for (const f of files.filter((x) => /\.(bin|pt|pth)$/.test(x)).sort()) {
    const kind = sniffPickle(join(dir, f));
    if (kind) throw new InputFileError(join(dir, f), `${describePickle(kind)}; the folder has no model.safetensors`);
  }
}

/**
 * Opens a Hugging Face folder.
 * @throws InputFileError naming the file: missing/invalid config.json, missing or malformed weights, a tensor
 *   whose shape does not match the config
 */
export function readHfFolder(dir: string): HfFolder {
  const json = readConfigJson(dir);
  const configFile = join(dir, 'config.json');
  const config = parseHfConfig(json, configFile);
  const keep = keepMaskFromConfig(json, config.nLayers, configFile);
  refusePickleOnly(dir);
  const checkpoint = openSafetensorsCheckpoint(dir);
  const source: TensorSource = (name, shape) => {
    if (!checkpoint.has(name)) {
      const i = maskIndexOfTensor(name);
      if (i >= 0 && !keep[i]) return { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
      throw new InputFileError(dir, `checkpoint has no tensor "${name}" (required by config.json)`);
    }
    const t = checkpoint.read(name);
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new InputFileError(
        checkpoint.info(name).file.path,
        `tensor "${name}" has shape [${t.shape.join(', ')}], config.json implies [${shape.join(', ')}]`,
      );
    }
    return { shape, data: t.data };
  };
  const first = checkpoint.names()[0];
  return { config, keep, source, dtype: first ? checkpoint.info(first).dtype : 'F32' };
}
