/** One model's inspection: configuration, bytes per sub-layer (chart), shared and total bytes. */
import { useCall } from '../hooks/useCall.ts';
import { Card, ErrorBox, Link, Spinner } from './ui.tsx';
import { SubLayerBytesChart } from './SubLayerBytesChart.tsx';
import { formatBytes, formatCount } from '../lib/format.ts';

/** The configuration fields shown, in order, with words for them (the config's own keys stay in code). */
const CONFIG_LABELS: [key: string, label: string][] = [
  ['architecture', 'Architecture'], ['nLayers', 'Blocks (layers)'], ['dim', 'Width'], ['hiddenDim', 'MLP width'],
  ['nHeads', 'Attention heads'], ['nKvHeads', 'Key/value heads'], ['vocabSize', 'Vocabulary (tokens)'],
  ['maxSeqLen', 'Context length (tokens)'], ['tiedEmbeddings', 'Input and output share weights'], ['ropeTheta', 'Position encoding base'],
];

function ConfigTable({ config }: { config: Record<string, unknown> }) {
  const shown = CONFIG_LABELS.filter(([k]) => ['string', 'number', 'boolean'].includes(typeof config[k]));
  return (
    <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
      {shown.map(([k, label]) => {
        const v = config[k];
        const text = typeof v === 'boolean' ? (v ? 'yes' : 'no') : typeof v === 'number' ? v.toLocaleString('en-US') : String(v);
        return (
          <div key={k} className="min-w-0">
            <dt className="truncate text-xs text-slate-600" title={label}>{label}</dt>
            <dd className="truncate text-slate-800" title={text}>{text}</dd>
          </div>
        );
      })}
    </dl>
  );
}

/** Inspects model `modelId`. */
export function ModelInspector({ modelId, name }: { modelId: number; name?: string }) {
  const inspect = useCall('models.inspect', { id: modelId });
  const data = inspect.data;
  const params = data ? data.subLayers.reduce((a, s) => a + s.parameters, 0) : 0;
  const subBytes = data ? data.subLayers.reduce((a, s) => a + s.bytes, 0) : 0;
  return (
    <Card title={name ?? `Model ${modelId}`} testId="model-inspector" actions={<Link to={`/trim?model=${modelId}`}>Trim this model →</Link>}>
      <ErrorBox error={inspect.error} onRetry={inspect.reload} />
      {inspect.loading && !data && <Spinner label="Reading the model…" />}
      {data && (
        <div className="flex flex-col gap-4">
          <div className="grid grid-cols-3 gap-3 text-sm">
            <div className="rounded-md bg-slate-50 p-2">
              <div className="text-xs text-slate-600">Total</div>
              <div className="font-semibold tabular-nums" data-testid="model-total-bytes">{formatBytes(data.totalBytes)}</div>
            </div>
            <div className="rounded-md bg-slate-50 p-2">
              <div className="text-xs text-slate-600">Sub-layers ({data.subLayers.length})</div>
              <div className="font-semibold tabular-nums">
                {formatBytes(subBytes)} · {formatCount(params)} params
              </div>
            </div>
            <div className="rounded-md bg-slate-50 p-2">
              <div className="text-xs text-slate-600">Shared (embeddings, norm, head)</div>
              <div className="font-semibold tabular-nums">{formatBytes(data.sharedBytes)}</div>
            </div>
          </div>
          <div>
            <h3 className="mb-1 text-sm font-medium text-slate-700">Bytes per sub-layer</h3>
            <SubLayerBytesChart subLayers={data.subLayers} />
          </div>
          <div>
            <h3 className="mb-1 text-sm font-medium text-slate-700">Configuration</h3>
            <ConfigTable config={data.config} />
          </div>
        </div>
      )}
    </Card>
  );
}
