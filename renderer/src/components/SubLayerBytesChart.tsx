/** Bytes (and parameters) per sub-layer as bars, attention and MLP in their own colours. */
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatCount } from '../lib/format.ts';
import { KIND_COLOURS, KIND_LABELS, parseSubLayer } from '../lib/sublayers.ts';

/** One sub-layer's size. */
export interface SubLayerSize {
  name: string;
  parameters: number;
  bytes: number;
}

function Legend() {
  return (
    <div className="mt-2 flex gap-4 text-xs text-slate-600">
      {(['attn', 'mlp'] as const).map((k) => (
        <span key={k} className="inline-flex items-center gap-1.5">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ background: KIND_COLOURS[k] }} />
          {KIND_LABELS[k]}
        </span>
      ))}
    </div>
  );
}

/** The chart, with a text summary for screen readers. */
export function SubLayerBytesChart({ subLayers }: { subLayers: SubLayerSize[] }) {
  const attn = subLayers.filter((s) => parseSubLayer(s.name)?.kind === 'attn').reduce((a, s) => a + s.bytes, 0);
  const mlp = subLayers.filter((s) => parseSubLayer(s.name)?.kind === 'mlp').reduce((a, s) => a + s.bytes, 0);
  return (
    <figure data-testid="sublayer-bytes-chart">
      <div className="h-64 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={subLayers} margin={{ top: 14, right: 8, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="name" tick={{ fontSize: 11 }} interval={subLayers.length > 24 ? 'preserveStartEnd' : 0} />
            <YAxis tickFormatter={(v: number) => formatBytes(v)} tick={{ fontSize: 11 }} width={84} />
            <Tooltip
              formatter={(value, _name, item) => [`${formatBytes(Number(value))} · ${formatCount((item.payload as SubLayerSize).parameters)} parameters`, 'size']}
            />
            <Bar dataKey="bytes" isAnimationActive={false}>
              {subLayers.map((s) => (
                <Cell key={s.name} fill={KIND_COLOURS[parseSubLayer(s.name)?.kind ?? 'attn']} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <Legend />
      <figcaption className="sr-only">
        {subLayers.length} sub-layers: attention {formatBytes(attn)} in total, MLP {formatBytes(mlp)} in total.
      </figcaption>
    </figure>
  );
}
