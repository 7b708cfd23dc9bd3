/**
 * The layer map: one row per decoder block, columns attention and MLP; each cell says whether the sub-layer is
 * kept or when it was dropped ("dropped at epoch N"). Fills in live as checkpoints arrive.
 */
import { dropHistory } from '../lib/sublayers.ts';
import { KIND_COLOURS } from '../lib/sublayers.ts';

interface CheckpointLike {
  step: number;
  epoch: number;
  label: string;
  keepMask: boolean[];
}

function Cell({ name, epoch, label }: { name: string; epoch: number | undefined; label: string | undefined }) {
  const dropped = epoch !== undefined;
  const text = dropped ? `${name}: dropped at epoch ${epoch}${label ? ` (checkpoint “${label}”)` : ''}` : `${name}: kept`;
  return (
    <td className="p-0.5">
      <div
        tabIndex={0}
        role="img"
        aria-label={text}
        title={text}
        data-testid={`layer-map-cell-${name}`}
        data-state={dropped ? 'dropped' : 'kept'}
        data-epoch={dropped ? epoch : undefined}
        className={`flex h-6 min-w-28 items-center px-1.5 justify-center rounded text-xs font-medium ${dropped ? 'border border-dashed border-slate-400 bg-slate-100 text-slate-600' : 'text-white'}`}
        style={dropped ? undefined : { background: KIND_COLOURS[name.startsWith('attn') ? 'attn' : 'mlp'] }}
      >
        {dropped ? `dropped ep ${epoch}` : 'kept'}
      </div>
    </td>
  );
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
      <table className="border-separate border-spacing-0 text-sm">
        <thead>
          <tr className="text-xs text-slate-500">
            <th scope="col" className="pr-2 text-right font-medium">Block</th>
            <th scope="col" className="font-medium">Attention</th>
            <th scope="col" className="font-medium">MLP</th>
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: nLayers }, (_, l) => (
            <tr key={l}>
              <th scope="row" className="pr-2 text-right text-xs font-normal tabular-nums text-slate-500">{l}</th>
              <Cell name={`attn${l}`} epoch={drops[2 * l].epoch} label={drops[2 * l].label} />
              <Cell name={`mlp${l}`} epoch={drops[2 * l + 1].epoch} label={drops[2 * l + 1].label} />
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
