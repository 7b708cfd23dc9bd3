/** One model's inspection: configuration, bytes per sub-layer (chart), shared and total bytes. */
import { useCall } from '../hooks/useCall.ts';
import { Card, ErrorBox, Link, Spinner } from './ui.tsx';
import { SubLayerBytesChart } from './SubLayerBytesChart.tsx';
import { formatBytes, formatCount } from '../lib/format.ts';

const CONFIG_KEYS = ['architecture', 'dim', 'hiddenDim', 'nLayers', 'nHeads', 'nKvHeads', 'vocabSize', 'maxSeqLen', 'tiedEmbeddings'];

function ConfigTable({ config }: { config: Record<string, unknown> }) {
  const keys = [...CONFIG_KEYS.filter((k) => k in config), ...Object.keys(config).filter((k) => !CONFIG_KEYS.includes(k))].filter((k) => {
    const v = config[k];
    return v === null || ['string', 'number', 'boolean'].includes(typeof v);
  });
  return (
    <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
      {keys.slice(0, 18).map((k) => (
        <div key={k} className="min-w-0">
          <dt className="truncate text-xs text-slate-600">{k}</dt>
          <dd className="truncate font-mono text-slate-800" title={String(config[k])}>{String(config[k])}</dd>
        </div>
      ))}
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
