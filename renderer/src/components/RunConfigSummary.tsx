/** The key settings of a run's stored config, as a compact line of chips (labels and places from RUN_SETTINGS). */
import { RUN_SETTINGS, storedSetting, type SettingName, type SettingSpec } from '../../../electron/api/run-settings.ts';
import { formatPercent } from '../lib/format.ts';
import { BASELINES } from '../lib/presets.ts';

/** A stored choice in words: the setting's own words for it, a baseline's label, else as stored. */
function inWords(name: SettingName, value: string): string {
  const choices = (RUN_SETTINGS[name] as SettingSpec).choices;
  return choices?.[value] ?? BASELINES.find((b) => b.id === value)?.label.toLowerCase() ?? value;
}

/** The settings shown, in order; shares are shown as percentages. */
const SHOWN: SettingName[] = ['target', 'accuracyFloor', 'sparseRatio', 'dropsPerEpoch', 'maxEpochs', 'lr', 'calibrationSize', 'method', 'baselines'];
const PERCENT = new Set<SettingName>(['target', 'accuracyFloor', 'sparseRatio']);

/** Renders the settings it finds in `config` (anything else is ignored). */
export function RunConfigSummary({ config }: { config: unknown }) {
  const chips = SHOWN.flatMap((name) => {
    const v = storedSetting(config, name);
    const label = RUN_SETTINGS[name].label.toLowerCase();
    if (typeof v === 'number') return [`${label} ${PERCENT.has(name) ? formatPercent(v, 0) : String(v)}`];
    if (typeof v === 'string') return [`${label}: ${inWords(name, v)}`];
    if (Array.isArray(v) && v.length) return [`${label}: ${v.filter((b): b is string => typeof b === 'string').map((b) => inWords(name, b)).join(', ')}`];
    return [];
  });
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
