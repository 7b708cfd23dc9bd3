/**
 * Which blocks a GGUF file holds and how dropped sub-layers are expressed (llama.cpp architecture `deci`, whose
 * per-block arrays `deci.attention.head_count`, `deci.attention.head_count_kv` and `deci.feed_forward_length` may
 * be 0: a block with 0 heads has no attention and no `blk.N.attn_*` tensors, a block with feed-forward length 0
 * has no MLP and no `blk.N.ffn_*` tensors).
 *
 * Stand-ins: the deci graph of the llama.cpp bundled with node-llama-cpp 3.21.1 mishandles two cases (a block
 * whose MLP is dropped under a kept attention loses that attention's output, and crashes in the last block; a
 * model whose block 0 has no attention gets head size 0 everywhere). `planBlocks` with `standIns` works around
 * both with exact no-ops, at ~1% of the model's FLOPs: such an MLP becomes a feed-forward of length 32 with
 * all-zero gate/up/down, such an attention one head with all-zero q/k/v/o, and a block with both sub-layers
 * dropped is left out (the remaining blocks renumbered). Turn `standIns` off for a llama.cpp whose deci graph is
 * fixed. The exporter records the stand-ins in the file's metadata (`trimllm.stand_ins`).
 */
import type { LlamaConfig } from '../model/config.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** How a sub-layer is written: its weights, an all-zero stand-in, or nothing. */
export type SubLayerForm = 'kept' | 'stand-in' | 'absent';

/** One block of the output file. */
export interface PlannedBlock {
  /** Index of the source block in the model. */
  source: number;
  attn: SubLayerForm;
  mlp: SubLayerForm;
  /** Query / key-value heads and feed-forward length written for this block (0 for an absent sub-layer). */
  heads: number;
  kvHeads: number;
  ffLength: number;
}

/** The block layout of an exported file. */
export interface BlockPlan {
  /** `llama` when every sub-layer is kept, else `deci`. */
  architecture: 'llama' | 'deci';
  blocks: PlannedBlock[];
  /** Stand-in sub-layers, named by source block (e.g. `mlp3`), for the file's metadata. */
  standIns: string[];
}

/** Feed-forward length of an MLP stand-in: one quantization block, so Q8_0/Q4_0 can hold its down projection. */
export const STAND_IN_FF_LENGTH = 32;

/**
 * Plans the blocks of an export.
 * @param standIns write the no-op stand-ins described above (default true; false for a fixed llama.cpp)
 * @throws Error when the mask drops every sub-layer (a runtime needs at least one block)
 */
export function planBlocks(config: LlamaConfig, keep: KeepMask, standIns = true): BlockPlan {
  if (keep.length !== 2 * config.nLayers) {
    throw new Error(`keep mask has ${keep.length} entries; the model has ${2 * config.nLayers} sub-layers`);
  }
  if (keep.every(Boolean)) {
    const blocks = Array.from({ length: config.nLayers }, (_, l): PlannedBlock => ({
      source: l, attn: 'kept', mlp: 'kept', heads: config.nHeads, kvHeads: config.nKvHeads, ffLength: config.hiddenDim,
    }));
    return { architecture: 'llama', blocks, standIns: [] };
  }
  if (!keep.some(Boolean)) throw new Error('every sub-layer is dropped: there is no model left to export');
  const blocks: PlannedBlock[] = [];
  const names: string[] = [];
  for (let l = 0; l < config.nLayers; l++) {
    const attnKept = keep[2 * l]!;
    const mlpKept = keep[2 * l + 1]!;
    if (standIns && !attnKept && !mlpKept) continue;
    let attn: SubLayerForm = attnKept ? 'kept' : 'absent';
    let mlp: SubLayerForm = mlpKept ? 'kept' : 'absent';
    if (standIns && attnKept && !mlpKept) mlp = 'stand-in';
    if (standIns && blocks.length === 0 && !attnKept) attn = 'stand-in';
    if (attn === 'stand-in') names.push(`attn${l}`);
    if (mlp === 'stand-in') names.push(`mlp${l}`);
    blocks.push({
      source: l,
      attn,
      mlp,
      heads: attn === 'kept' ? config.nHeads : attn === 'stand-in' ? 1 : 0,
      kvHeads: attn === 'kept' ? config.nKvHeads : attn === 'stand-in' ? 1 : 0,
      ffLength: mlp === 'kept' ? config.hiddenDim : mlp === 'stand-in' ? STAND_IN_FF_LENGTH : 0,
    });
  }
  return { architecture: 'deci', blocks, standIns: names };
}
