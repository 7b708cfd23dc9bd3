/**
 * Parameter counts and bytes per sub-layer, from a config alone (no weights needed), for `inspect`, reports and
 * the memory target of a trim run. Bytes are float32 on the device (4 bytes per parameter).
 */
import type { LlamaConfig } from './config.ts';
import { expectedHfShapes } from './weights.ts';
import { allSubLayers, maskIndex, subLayerName, type KeepMask, type SubLayerName } from './sublayers.ts';

/** Bytes per parameter as held by the engine (float32). */
export const BYTES_PER_PARAMETER = 4;

/** Parameter counts of a model. */
export interface ParameterBreakdown {
  /** Per sub-layer (its norm gain, projections and biases), in forward order. */
  subLayers: { name: SubLayerName; parameters: number; bytes: number }[];
  /** Token embedding + final norm + untied LM head (shared by every keep mask). */
  shared: { parameters: number; bytes: number };
  /** Total over all sub-layers and shared weights. */
  total: { parameters: number; bytes: number };
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Counts the parameters of every sub-layer and of the shared weights. */
export function parameterBreakdown(config: LlamaConfig): ParameterBreakdown {
  const per = new Map<SubLayerName, number>();
  let shared = 0;
  for (const [name, shape] of expectedHfShapes(config)) {
    const m = /^model\.layers\.(\d+)\.(self_attn|input_layernorm|mlp|post_attention_layernorm)/.exec(name);
    if (!m) {
      shared += product(shape);
      continue;
    }
    const kind = m[2] === 'self_attn' || m[2] === 'input_layernorm' ? 'attn' : 'mlp';
    const key: SubLayerName = `${kind}${Number(m[1])}`;
    per.set(key, (per.get(key) ?? 0) + product(shape));
  }
  const subLayers = allSubLayers(config.nLayers).map((s) => {
    const parameters = per.get(subLayerName(s)) ?? 0;
    return { name: subLayerName(s), parameters, bytes: parameters * BYTES_PER_PARAMETER };
  });
  const totalParams = shared + subLayers.reduce((a, s) => a + s.parameters, 0);
  return {
    subLayers,
    shared: { parameters: shared, bytes: shared * BYTES_PER_PARAMETER },
    total: { parameters: totalParams, bytes: totalParams * BYTES_PER_PARAMETER },
  };
}

/** Parameter bytes of a model trimmed to a keep mask: shared weights plus the kept sub-layers (DESIGN.md §2). */
export function keptParameterBytes(config: LlamaConfig, keep: KeepMask): number {
  const b = parameterBreakdown(config);
  return b.shared.bytes + b.subLayers.filter((_, i) => keep[i]).reduce((a, s) => a + s.bytes, 0);
}

/**
 * Matrix-multiply FLOPs per token for a keep mask at context length `positions` (2 FLOPs per multiply-add;
 * Kaplan et al. 2020, Table 1: 2N + 2·nLayer·nCtx·dAttn), used for the ideal speed-up full/trimmed.
 */
export function flopsPerToken(config: LlamaConfig, keep: KeepMask, positions: number): number {
  const b = parameterBreakdown(config);
  let flops = 2 * config.dim * config.vocabSize; // LM head
  for (const s of allSubLayers(config.nLayers)) {
    if (!keep[maskIndex(s)]) continue;
    flops += 2 * b.subLayers[maskIndex(s)]!.parameters;
    if (s.kind === 'attn') flops += 2 * 2 * positions * config.nHeads * config.headDim; // scores + mix
  }
  return flops;
}
