/**
 * The grid of a model's sub-layers shared by the layer map and the importance heatmap: one row per decoder
 * block, columns attention and MLP, each cell a focusable labelled tile (role img, the label also the tooltip).
 */
import type { CSSProperties, ReactNode } from 'react';

/** One tile of the grid. */
export interface SubLayerTile {
  /** What a screen reader and the tooltip say; without it the tile is not focusable (nothing to say). */
  label?: string;
  /** The text shown in the tile. */
  text: ReactNode;
  /** Extra classes (colour, border, ring). */
  className?: string;
  style?: CSSProperties;
  /** Extra data-* attributes (e.g. data-state for tests). */
  data?: Record<`data-${string}`, string | number | undefined>;
}

/**
 * The grid of `nLayers` blocks; `tile(name, index)` describes sub-layer `attn<i>` / `mlp<i>` (keep-mask index
 * 2i / 2i+1). Each tile's test id is `${testIdPrefix}${name}`.
 */
export function SubLayerGrid({ nLayers, tile, testIdPrefix }: { nLayers: number; tile: (name: string, index: number) => SubLayerTile; testIdPrefix: string }) {
  return (
    <table className="border-separate border-spacing-0 text-sm">
      <thead>
        <tr className="text-xs text-slate-600">
          <th scope="col" className="pr-2 text-right font-medium">Block</th>
          <th scope="col" className="font-medium">Attention</th>
          <th scope="col" className="font-medium">MLP</th>
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: nLayers }, (_, l) => (
          <tr key={l}>
            <th scope="row" className="pr-2 text-right text-xs font-normal tabular-nums text-slate-600">{l}</th>
            {[`attn${l}`, `mlp${l}`].map((name, k) => {
              const t = tile(name, 2 * l + k);
              return (
                <td key={name} className="p-0.5">
                  <div
                    tabIndex={t.label ? 0 : undefined}
                    role={t.label ? 'img' : undefined}
                    aria-label={t.label}
                    title={t.label}
                    data-testid={`${testIdPrefix}${name}`}
                    {...t.data}
                    className={`flex h-6 min-w-28 items-center justify-center rounded px-1.5 text-xs font-medium ${t.className ?? ''}`}
                    style={t.style}
                  >
                    {t.text}
                  </div>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
