/**
 * The "TrimLLM + quantization" rows of a finished run's report (paper §4.3): the base model and the run's last
 * TrimLLM checkpoint, each exported as GGUF F32 / Q8_0 / Q4_0 and measured in llama.cpp on the test split
 * (engine/runtime/quantized-eval.ts). A full fine-tune joins them once baselines are stored as checkpoints.
 */
import type { ReportEntry, QuantizedRow } from '../../engine/report/types.ts';
import type { Evaluable } from '../../engine/trim/prepare.ts';
import { measureQuantized, type QuantizeCandidate } from '../../engine/runtime/quantized-eval.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { loadCheckpointModel, loadStoredModel } from './checkpoint-model.ts';
import type { Database } from '../store/index.ts';

function candidate(name: string, kind: QuantizeCandidate['kind'], loaded: LoadedModel): QuantizeCandidate {
  const tokenizerSource = loaded.tokenizerPath ?? loaded.path;
  if (!loaded.tokenizer) throw new Error(`${loaded.path}: no tokenizer, cannot export to GGUF`);
  return { name, kind, model: loaded.model, tokenizer: loaded.tokenizer, tokenizerSource };
}

/**
 * Measures the quantized rows of a run.
 * @param modelId the run's base model
 * @param chosen the checkpoint to quantize (its id and report entry), or null for the base model only
 */
export async function quantizedRowsOfRun(
  db: Database,
  modelId: number,
  baseEntry: ReportEntry | undefined,
  chosen: { id: number; entry: ReportEntry } | null,
  test: Evaluable,
  metric: string,
): Promise<QuantizedRow[]> {
  const loaded: LoadedModel[] = [];
  try {
    const base = await loadStoredModel(db, modelId);
    loaded.push(base);
    const candidates = [candidate(baseEntry?.name ?? 'base model', 'base', base)];
    if (chosen) {
      const cp = await loadCheckpointModel(db, chosen.id);
      loaded.push(cp);
      candidates.push(candidate(chosen.entry.name, chosen.entry.kind, cp));
    }
    return await measureQuantized(candidates, test, metric);
  } finally {
    for (const l of loaded) l.model.dispose();
  }
}
