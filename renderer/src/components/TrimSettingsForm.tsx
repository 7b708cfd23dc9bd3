/**
 * The trim settings fields, one per setting of RUN_SETTINGS that is not CLI-only (electron/api/run-settings.ts):
 * label, help, bounds and choices come from the schema, so the form offers exactly what `runs.start` accepts.
 */
import type { ReactNode } from 'react';
import { NumberField, SelectField } from './ui.tsx';
import { numberBounds, type SettingGroup } from '../../../electron/api/run-settings.ts';
import { BASELINES, FORM_SETTINGS, type BaselineId, type TrimForm } from '../lib/presets.ts';

const GROUP_TITLES: Record<Exclude<SettingGroup, 'baselines'>, string> = { trimming: 'Trimming', 'fine-tuning': 'Fine-tuning', limits: 'Limits' };

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-sm font-semibold text-slate-800">{title}</legend>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">{children}</div>
    </fieldset>
  );
}

/** Edits `value`; every change calls `onChange` with the whole form. */
export function TrimSettingsForm({ value, onChange }: { value: TrimForm; onChange: (v: TrimForm) => void }) {
  const set = <K extends keyof TrimForm>(key: K, v: TrimForm[K]) => onChange({ ...value, [key]: v });
  const toggleBaseline = (id: BaselineId, on: boolean) => set('baselines', on ? [...value.baselines, id] : value.baselines.filter((b) => b !== id));
  const field = ({ name, spec }: (typeof FORM_SETTINGS)[number]) => {
    const testId = `trim-${spec.flag}`;
    if (spec.flagKind === 'choice') {
      return (
        <SelectField key={name} label={spec.label} hint={spec.help} value={String(value[name])} data-testid={testId}
          onChange={(e) => onChange({ ...value, [name]: e.target.value })}
          options={Object.entries(spec.choices ?? {}).map(([v, label]) => ({ value: v, label }))} />
      );
    }
    const optional = spec.schema.safeParse(undefined).data === undefined;
    return (
      <NumberField key={name} label={spec.label} hint={spec.help} value={value[name] as number | ''} data-testid={testId}
        onValue={(v) => onChange({ ...value, [name]: v })} {...numberBounds(name)} {...(optional ? { placeholder: 'auto' } : {})} />
    );
  };
  const inGroup = (g: SettingGroup) => FORM_SETTINGS.filter((f) => f.spec.group === g && f.spec.flagKind !== 'list');
  return (
    <div className="flex flex-col gap-4">
      {(Object.keys(GROUP_TITLES) as (keyof typeof GROUP_TITLES)[]).map((g) => (
        <Group key={g} title={GROUP_TITLES[g]}>{inGroup(g).map(field)}</Group>
      ))}
      <fieldset className="rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-semibold text-slate-800">Models to compare against</legend>
        <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
          {BASELINES.map((b) => (
            <label key={b.id} className="flex items-start gap-2 text-sm">
              <input type="checkbox" className="mt-0.5" checked={value.baselines.includes(b.id)} onChange={(e) => toggleBaseline(b.id, e.target.checked)} data-testid={`trim-baseline-${b.id}`} />
              <span>
                <span className="font-medium text-slate-800">{b.label}</span>
                <span className="block text-xs text-slate-600">{b.hint}</span>
              </span>
            </label>
          ))}
        </div>
        <div className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">{inGroup('baselines').map(field)}</div>
      </fieldset>
    </div>
  );
}
