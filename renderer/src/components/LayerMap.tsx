/**
 * The layer map: one row per decoder block, columns attention and MLP; each cell says whether the sub-layer is
 * kept or when it was dropped ("dropped at epoch N"). Fills in live as checkpoints arrive.
 */
import { dropHistory } from '../lib/sublayers.ts';
import { KIND_COLOURS } from '../lib/sublayers.ts';
import { SubLayerGrid, type SubLayerTile } from './SubLayerGrid.tsx';

interface CheckpointLike {
  step: number;
  epoch: number;
  label: string;
  keepMask: boolean[];
}

function tileOf(name: string, epoch: number | undefined, label: string | undefined): SubLayerTile {
  const dropped = epoch !== undefined;
  return {
    label: dropped ? `${name}: dropped at epoch ${epoch}${label ? ` (checkpoint “${label}”)` : ''}` : `${name}: kept`,
    text: dropped ? `dropped ep ${epoch}` : 'kept',
    className: dropped ? 'border border-dashed border-slate-400 bg-slate-100 text-slate-600' : 'text-white',
    style: dropped ? undefined : { background: KIND_COLOURS[name.startsWith('attn') ? 'attn' : 'mlp'] },
    data: { 'data-state': dropped ? 'dropped' : 'kept', 'data-epoch': dropped ? epoch : undefined },
  };
}

/** The map for an `nLayers`-block model given the run's checkpoints. */
export function LayerMap({ nLayers, checkpoints }: { nLayers: number; checkpoints: CheckpointLike[] }) {
  const drops = dropHistory(2 * nLayers, checkpoints);
  const kept = drops.filter((d) => d.epoch === undefined).length;
  return (
    <figure data-testid="layer-map">
      <figcaption className="mb-2 text-sm text-slate-600">
        <span data-testid="layer-map-kept">{kept}</span> of {2 * nLayers} sub-layers kept
      </figcaption>
      <SubLayerGrid nLayers={nLayers} testIdPrefix="layer-map-cell-" tile={(name, i) => tileOf(name, drops[i].epoch, drops[i].label)} />
    </figure>
  );
}
