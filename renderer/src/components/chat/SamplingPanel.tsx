/** Sampling settings of the chat: temperature, top-p, top-k, max tokens, repetition penalty. */
import { NumberField } from '../ui.tsx';
import { DEFAULT_SAMPLING, type Sampling } from '../../lib/sampling.ts';

/** Edits `value`; empty fields fall back to the defaults. */
export function SamplingPanel({ value, onChange }: { value: Sampling; onChange: (v: Sampling) => void }) {
  const set = (key: keyof Sampling, v: number | '') => onChange({ ...value, [key]: v === '' || Number.isNaN(v) ? DEFAULT_SAMPLING[key] : v });
  return (
    <details className="rounded-md border border-slate-200 bg-white p-3 text-sm" data-testid="chat-sampling">
      <summary className="cursor-pointer font-medium text-slate-800">
        Sampling · temperature {value.temperature}, top-p {value.topP}, top-k {value.topK || 'off'}, max {value.maxTokens} tokens
      </summary>
      <div className="mt-3 grid gap-3 sm:grid-cols-3 lg:grid-cols-5">
        <NumberField label="Temperature" value={value.temperature} onValue={(v) => set('temperature', v)} min={0} max={5} step={0.05} hint="0 = greedy" data-testid="chat-temperature" />
        <NumberField label="Top-p" value={value.topP} onValue={(v) => set('topP', v)} min={0} max={1} step={0.05} hint="0 = greedy, 1 = off" data-testid="chat-top-p" />
        <NumberField label="Top-k" value={value.topK} onValue={(v) => set('topK', v)} min={0} step={1} hint="0 = off" data-testid="chat-top-k" />
        <NumberField label="Max tokens" value={value.maxTokens} onValue={(v) => set('maxTokens', v)} min={1} max={4096} step={1} data-testid="chat-max-tokens" />
        <NumberField label="Repetition penalty" value={value.repetitionPenalty} onValue={(v) => set('repetitionPenalty', v)} min={0.5} max={3} step={0.05} hint="1 = off" data-testid="chat-repetition-penalty" />
      </div>
    </details>
  );
}
