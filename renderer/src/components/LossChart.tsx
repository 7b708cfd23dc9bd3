/** Training loss per step, with a dashed line at each drop (checkpoint). */
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { EmptyState } from './ui.tsx';

/** One logged step. */
export interface LossPoint {
  step: number;
  epoch: number;
  loss: number | null;
}

/** The chart; `dropSteps` marks checkpoints. */
export function LossChart({ points, dropSteps }: { points: LossPoint[]; dropSteps: number[] }) {
  const data = points.filter((p) => p.loss !== null && Number.isFinite(p.loss));
  if (data.length === 0) {
    return (
      <div data-testid="loss-chart">
        <EmptyState title="No training steps yet">The loss appears here once the first epoch starts.</EmptyState>
      </div>
    );
  }
  return (
    <figure data-testid="loss-chart" className="h-64 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} label={{ value: 'step', position: 'insideBottom', offset: -8, fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={48} domain={['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(2)} />
          <Tooltip formatter={(v) => [Number(v).toFixed(4), 'loss']} labelFormatter={(s) => `step ${String(s)}`} />
          {dropSteps.map((s) => (
            <ReferenceLine key={s} x={s} stroke="#94a3b8" strokeDasharray="4 3" />
          ))}
          <Line type="monotone" dataKey="loss" stroke="#2563eb" dot={false} strokeWidth={1.5} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">Training loss over {data.length} steps; dashed lines mark checkpoints (drops).</figcaption>
    </figure>
  );
}
