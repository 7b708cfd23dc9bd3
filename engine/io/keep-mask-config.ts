/**
 * Recording a keep mask in a Hugging Face config.json. No standard Llama field says "this block has no
 * attention/MLP"; we write both precedents (DESIGN.md §3):
 *  - LLM-Drop: `drop_attn_list` / `drop_mlp_list`, lists of 0-based layer indices;
 *  - DeciLM / Nemotron-NAS: `block_configs[l].attention.no_op` / `.ffn.no_op`, which llama.cpp reads.
 * On load, either one is accepted (LLM-Drop first); when both are present they must agree.
 */
import { fullKeepMask, type KeepMask } from '../model/sublayers.ts';
import { InputFileError } from './errors.ts';

/** The config.json fields that record a keep mask. */
export function keepMaskFields(keep: KeepMask): Record<string, unknown> {
  const nLayers = keep.length / 2;
  const layers = Array.from({ length: nLayers }, (_, l) => l);
  return {
    drop_attn_list: layers.filter((l) => !keep[2 * l]),
    drop_mlp_list: layers.filter((l) => !keep[2 * l + 1]),
    block_configs: layers.map((l) => ({
      attention: { no_op: !keep[2 * l], replace_with_linear: false },
      ffn: { no_op: !keep[2 * l + 1], replace_with_linear: false },
    })),
  };
}

function indexList(value: unknown, field: string, nLayers: number, file: string): number[] {
  if (!Array.isArray(value) || value.some((v) => !Number.isInteger(v) || v < 0 || v >= nLayers)) {
    throw new InputFileError(file, `"${field}" must be a list of layer indices in 0..${nLayers - 1}`);
  }
  return value as number[];
}

/**
 * Reads the keep mask recorded in a config.json object (all kept when it records none).
 * @throws InputFileError naming the file when the fields are malformed or disagree
 */
export function keepMaskFromConfig(json: Record<string, unknown>, nLayers: number, file: string): KeepMask {
  let fromDrop: boolean[] | null = null;
  if ('drop_attn_list' in json || 'drop_mlp_list' in json) {
    fromDrop = [...fullKeepMask(nLayers)];
    for (const l of indexList(json.drop_attn_list ?? [], 'drop_attn_list', nLayers, file)) fromDrop[2 * l] = false;
    for (const l of indexList(json.drop_mlp_list ?? [], 'drop_mlp_list', nLayers, file)) fromDrop[2 * l + 1] = false;
  }
  let fromBlocks: boolean[] | null = null;
  if (json.block_configs !== undefined && json.block_configs !== null) {
    const blocks = json.block_configs;
    if (!Array.isArray(blocks) || blocks.length !== nLayers) {
      throw new InputFileError(file, `"block_configs" must list ${nLayers} blocks`);
    }
    fromBlocks = blocks.flatMap((b: { attention?: { no_op?: unknown }; ffn?: { no_op?: unknown } }) => [
      b?.attention?.no_op !== true,
      b?.ffn?.no_op !== true,
    ]);
  }
  if (fromDrop && fromBlocks && fromDrop.some((k, i) => k !== fromBlocks![i])) {
    throw new InputFileError(file, '"drop_attn_list"/"drop_mlp_list" and "block_configs" record different sub-layers');
  }
  return fromDrop ?? fromBlocks ?? fullKeepMask(nLayers);
}
