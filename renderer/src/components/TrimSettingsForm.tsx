/** The trim settings fields (target, sparse update ratio, k, epochs, lr, calibration, baselines, limits). */
import type { ReactNode } from 'react';
import { NumberField, SelectField } from './ui.tsx';
import { BASELINES, TARGET_BOUNDS, type BaselineId, type TrimForm } from '../lib/presets.ts';

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
  return (
    <div className="flex flex-col gap-4">
      <Group title="Trimming">
        <NumberField label="Target kept fraction" value={value.target} onValue={(v) => set('target', v)} min={TARGET_BOUNDS.min} max={TARGET_BOUNDS.max} step={TARGET_BOUNDS.step} hint={`Fraction of the 2L sub-layers to keep, ${TARGET_BOUNDS.min}–${TARGET_BOUNDS.max}, e.g. 0.5.`} data-testid="trim-target" />
        <NumberField label="Sub-layers dropped per epoch (k)" value={value.dropsPerEpoch} onValue={(v) => set('dropsPerEpoch', v)} min={1} max={8} step={1} hint="1 is the gradual default; more is adaptive dropping." data-testid="trim-k" />
        <SelectField
          label="Importance score"
          value={value.method}
          onChange={(e) => set('method', e.target.value as TrimForm['method'])}
          options={[
            { value: 'both', label: 'Both: calibration, ties by activation norm' },
            { value: 'calibration', label: 'Calibration (sensitivity)' },
            { value: 'activation', label: 'Activation norm' },
          ]}
          data-testid="trim-method"
        />
        <NumberField label="Calibration set size" value={value.calibrationSize} onValue={(v) => set('calibrationSize', v)} min={1} max={4096} step={1} hint="Validation records drawn fresh before each drop." data-testid="trim-calibration" />
        <NumberField label="Max epochs" value={value.maxEpochs} onValue={(v) => set('maxEpochs', v)} min={1} max={200} step={1} data-testid="trim-max-epochs" />
        <NumberField label="Healing epochs" value={value.healEpochs} onValue={(v) => set('healEpochs', v)} min={0} max={200} step={1} placeholder="auto" hint="Empty: as many as the drop phase took." data-testid="trim-heal-epochs" />
      </Group>
      <Group title="Fine-tuning">
        <NumberField label="Sparse update ratio (r)" value={value.sparseRatio} onValue={(v) => set('sparseRatio', v)} min={0.05} max={1} step={0.05} hint="Only the ceil(r·2L) most important sub-layers are trained." data-testid="trim-sparse-ratio" />
        <NumberField label="Learning rate" value={value.lr} onValue={(v) => set('lr', v)} min={0} max={1} step="any" data-testid="trim-lr" />
        <NumberField label="Batch size" value={value.batchSize} onValue={(v) => set('batchSize', v)} min={1} max={256} step={1} data-testid="trim-batch" />
        <NumberField label="Seed" value={value.seed} onValue={(v) => set('seed', v)} min={0} step={1} data-testid="trim-seed" />
      </Group>
      <Group title="Limits">
        <NumberField label="Training records per epoch (max)" value={value.maxTrain} onValue={(v) => set('maxTrain', v)} min={1} step={1} data-testid="trim-max-train" />
        <NumberField label="Evaluation records (max)" value={value.maxEval} onValue={(v) => set('maxEval', v)} min={1} step={1} data-testid="trim-max-eval" />
        <NumberField label="Baseline epochs" value={value.baselineEpochs} onValue={(v) => set('baselineEpochs', v)} min={1} max={200} step={1} placeholder="auto" hint="Empty: as many epochs as the TrimLLM run." data-testid="trim-baseline-epochs" />
      </Group>
      <fieldset className="rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-semibold text-slate-800">Baselines to compare against</legend>
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
      </fieldset>
    </div>
  );
}
