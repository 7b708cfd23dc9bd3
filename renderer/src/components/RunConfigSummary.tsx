/** The key settings of a run's stored config, as a compact line of chips. */
import { formatPercent } from '../lib/format.ts';

const LABELS: [key: string, label: string, fmt?: (v: number) => string][] = [
  ['target', 'target kept', (v) => formatPercent(v, 0)],
  ['sparseRatio', 'sparse update ratio r'],
  ['dropsPerEpoch', 'k per epoch'],
  ['maxEpochs', 'max epochs'],
  ['lr', 'lr'],
  ['calibrationSize', 'calibration set'],
  ['method', 'importance'],
];

/** Renders what it recognises in `config` (anything else is ignored). */
export function RunConfigSummary({ config }: { config: unknown }) {
  if (typeof config !== 'object' || config === null) return null;
  const raw = config as Record<string, unknown>;
  // The stored config nests the stopping targets (`targets: {keptFraction, maxEpochs}`); settings name them flat.
  const targets = (typeof raw.targets === 'object' && raw.targets !== null ? raw.targets : {}) as Record<string, unknown>;
  const c: Record<string, unknown> = { ...raw, target: targets.keptFraction ?? raw.target, maxEpochs: targets.maxEpochs ?? raw.maxEpochs };
  const chips = LABELS.flatMap(([key, label, fmt]) => {
    const v = c[key];
    if (typeof v === 'number') return [`${label} ${fmt ? fmt(v) : String(v)}`];
    if (typeof v === 'string') return [`${label} ${v}`];
    return [];
  });
  const baselines = Array.isArray(c.baselines) ? c.baselines.filter((b): b is string => typeof b === 'string') : [];
  if (baselines.length) chips.push(`baselines ${baselines.join(', ')}`);
  if (chips.length === 0) return null;
  return (
    <ul className="mt-3 flex flex-wrap gap-1.5 text-xs text-slate-600" aria-label="Run settings">
      {chips.map((t) => (
        <li key={t} className="rounded bg-slate-100 px-2 py-0.5">
          {t}
        </li>
      ))}
    </ul>
  );
}
