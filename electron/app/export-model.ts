/**
 * Exporting a model or checkpoint (application layer, shared by `trimllm export`, the API's `checkpoints.export`
 * and the Export button): a Hugging Face folder (engine/io/export.ts) or one GGUF file (engine/io/gguf-export.ts)
 * with an Ollama Modelfile beside it. Exports are written with the user's umask: they are meant to leave the app
 * and are not encrypted.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { makeFolder } from '../../engine/io/folders.ts';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { exportHfFolder } from '../../engine/io/export.ts';
import { exportGguf } from '../../engine/io/gguf-export.ts';
import { GGUF_DTYPES, type GgufDtype } from '../../engine/io/gguf-quant.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import type { Tokenizer } from '../../engine/io/tokenizer.ts';
import { selectBackend } from '../../engine/backend/select.ts';
import { loadCheckpointModel } from './checkpoint-model.ts';
import { withUserUmask } from '../store/private-files.ts';
import type { Database } from '../store/index.ts';

/** Export formats: a Hugging Face folder, or a GGUF file for llama.cpp / Ollama / LM Studio. */
export type ExportFormat = 'hf' | 'gguf';
/** Weight encodings by format. */
export const EXPORT_DTYPES: Record<ExportFormat, readonly string[]> = { hf: ['F32', 'BF16'], gguf: GGUF_DTYPES };

/** What to export and where. */
export interface ExportRequest {
  format: ExportFormat;
  /** One of EXPORT_DTYPES[format]; default F32. */
  dtype?: string;
  /** HF: the folder to create. GGUF: the .gguf file, or a folder to write `<name>-<dtype>.gguf` into; `<file>.Modelfile` goes beside it. */
  destination: string;
  /** Model name used for the GGUF file and in the Ollama line. Default `trimllm-model`. */
  name?: string;
}

/** What an export wrote. */
export interface ExportResult {
  /** The folder (HF) or the .gguf file (GGUF). */
  path: string;
  /** Bytes of weights (model.safetensors, or the whole .gguf). */
  bytes: number;
  /** GGUF only: the Modelfile beside it, the line that imports it into Ollama, and LM Studio's models folder. */
  modelfile?: string;
  ollamaCommand?: string;
  lmStudioFolder?: string;
  /** GGUF only: tensors written in another dtype than asked (with the reason), and stand-in sub-layers. */
  notes: string[];
}

/** LM Studio's models folder (LM Studio 0.3: ~/.lmstudio/models/<publisher>/<model>/file.gguf). */
export function lmStudioModelsFolder(): string {
  return join(homedir(), '.lmstudio', 'models');
}

/**
 * An Ollama Modelfile for a GGUF file beside it: FROM, a TEMPLATE in Ollama's Go-template syntax for the chat
 * formats recognised in the model's jinja template (ChatML, Llama 3), else a plain completion template, and one
 * `PARAMETER stop` per end-of-sequence token.
 */
export function modelfileText(ggufFile: string, tokenizer: Tokenizer, chatTemplate: string | null): string {
  let template = '{{ .Prompt }}';
  if (chatTemplate?.includes('<|im_start|>')) {
    template = '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n';
  } else if (chatTemplate?.includes('<|start_header_id|>')) {
    template = '<|begin_of_text|>{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n' +
      '{{ .Content }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n';
  }
  const stops = tokenizer.eosIds.map((id) => tokenizer.decode([id]).trim()).filter((s) => s !== '');
  return [
    `FROM ./${basename(ggufFile)}`,
    `TEMPLATE """${template}"""`,
    ...[...new Set(stops)].map((s) => `PARAMETER stop ${JSON.stringify(s)}`),
    '',
  ].join('\n');
}

/**
 * Refuses a destination whose nearest existing parent is a file (`--out notes.txt/model`), naming that file,
 * before a writer fails with a bare ENOTDIR/EEXIST on its temporary path.
 * @throws Error "<file> is a file, not a folder; choose another place for the export"
 */
function checkDestinationParent(destination: string): void {
  let parent = dirname(resolve(destination));
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (existsSync(parent) && !statSync(parent).isDirectory()) throw new Error(`${parent} is a file, not a folder; choose another place for the export`);
}

/**
 * Exports a loaded model with its keep mask.
 * @param onProgress fraction done, 0..1 (GGUF: per tensor group; HF: start and end)
 * @throws Error naming the bad dtype, format or destination (an existing non-empty folder for HF, an existing file
 *   for GGUF, a path under a file); the writers' errors
 */
export async function exportLoadedModel(
  loaded: LoadedModel,
  request: ExportRequest,
  onProgress: (fraction: number) => void = () => {},
): Promise<ExportResult> {
  const dtype = (request.dtype ?? 'F32').toUpperCase();
  const allowed = EXPORT_DTYPES[request.format];
  if (!allowed) throw new Error(`unknown export format "${String(request.format)}": use hf or gguf`);
  if (!allowed.includes(dtype)) throw new Error(`dtype ${dtype} is not available for ${request.format}: use ${allowed.join(', ')}`);
  checkDestinationParent(request.destination);
  const tokenizerSource = loaded.format === 'hf' && loaded.tokenizerPath === null ? loaded.path : loaded.tokenizerPath;
  if (request.format === 'hf') {
    onProgress(0);
    const bytes = await withUserUmask(() => exportHfFolder(loaded.model, loaded.tokenizer, request.destination, {
      dtype: dtype as 'F32' | 'BF16',
      ...(tokenizerSource ? { tokenizerSource } : {}),
    }));
    onProgress(1);
    return { path: request.destination, bytes, notes: [] };
  }
  if (!loaded.tokenizer || !tokenizerSource) throw new Error(`${loaded.path}: a GGUF export needs the model's tokenizer`);
  const name = request.name ?? 'trimllm-model';
  const isFolder = !request.destination.endsWith('.gguf');
  const file = isFolder ? join(request.destination, `${name}-${dtype}.gguf`) : request.destination;
  if (existsSync(file)) throw new Error(`${file} exists; choose a new file name`);
  if (isFolder && existsSync(request.destination) && !statSync(request.destination).isDirectory()) {
    throw new Error(`${request.destination} is a file, not a folder`);
  }
  return withUserUmask(async () => {
    makeFolder(dirname(file));
    const result = await exportGguf(loaded.model, loaded.tokenizer!, tokenizerSource, file, {
      dtype: dtype as GgufDtype, name, onProgress,
    });
    // One Modelfile per GGUF (`<file>.Modelfile`), so a second export into the same folder leaves the first one's.
    const modelfile = join(dirname(file), `${basename(file, '.gguf')}.Modelfile`);
    const chatTemplate = (loaded.tokenizer as { chatTemplate?: string | null }).chatTemplate ?? null;
    writeFileSync(modelfile, modelfileText(file, loaded.tokenizer!, chatTemplate));
    const notes = [
      ...result.fallbacks,
      ...(result.standIns.length ? [`no-op stand-ins for llama.cpp: ${result.standIns.join(', ')}`] : []),
    ];
    return {
      path: file,
      bytes: result.bytes,
      modelfile,
      ollamaCommand: `cd ${JSON.stringify(dirname(file))} && ollama create ${name} -f ${basename(modelfile)}`,
      lmStudioFolder: lmStudioModelsFolder(),
      notes,
    };
  });
}

/**
 * Exports checkpoint `checkpointId` of the workspace (its run's base model, its tensors and keep mask).
 * @throws Error naming the checkpoint when it does not exist; exportLoadedModel's errors
 */
export async function exportCheckpoint(
  db: Database,
  checkpointId: number,
  request: ExportRequest,
  onProgress?: (fraction: number) => void,
): Promise<ExportResult> {
  await selectBackend();
  const loaded = await loadCheckpointModel(db, checkpointId);
  try {
    return await exportLoadedModel(loaded, { name: `trimllm-checkpoint-${checkpointId}`, ...request }, onProgress);
  } finally {
    loaded.model.dispose();
  }
}
