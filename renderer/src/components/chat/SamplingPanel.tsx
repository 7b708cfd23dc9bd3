/** Sampling settings of the chat: temperature, top-p, top-k, max tokens, repetition penalty. */
import { NumberField } from '../ui.tsx';
import { DEFAULT_SAMPLING, type Sampling } from '../../lib/sampling.ts';

/** The range each field accepts (the contract's SamplingSchema); max tokens is also bounded by the model's context. */
const BOUNDS: Record<keyof Sampling, [number, number]> = {
  temperature: [0, 5], topP: [0, 1], topK: [0, 100_000], maxTokens: [1, 4096], repetitionPenalty: [0.5, 3],
};

/** Most new tokens a chat may ask of a model that reads `contextTokens` tokens (null: unknown). */
export function maxTokensLimit(contextTokens: number | null | undefined): number {
  return Math.max(1, Math.min(BOUNDS.maxTokens[1], contextTokens ?? BOUNDS.maxTokens[1]));
}

/**
 * Edits `value`; empty fields fall back to the defaults and numbers are kept inside their range (so a request is
 * never refused for them); `contextTokens` bounds Max tokens and is said next to it.
 */
export function SamplingPanel({ value, onChange, contextTokens }: { value: Sampling; onChange: (v: Sampling) => void; contextTokens?: number | null }) {
  const limit = maxTokensLimit(contextTokens);
  const bounds = { ...BOUNDS, maxTokens: [1, limit] as [number, number] };
  const set = (key: keyof Sampling, v: number | '') => {
    const [lo, hi] = bounds[key];
    onChange({ ...value, [key]: v === '' || Number.isNaN(v) ? Math.min(DEFAULT_SAMPLING[key], hi) : Math.min(hi, Math.max(lo, v)) });
  };
  const maxTokens = Math.min(value.maxTokens, limit);
  return (
    <details className="rounded-md border border-slate-200 bg-white p-3 text-sm" data-testid="chat-sampling">
      <summary className="cursor-pointer font-medium text-slate-800">
        Answer settings · temperature {value.temperature}, top-p {value.topP}, top-k {value.topK || 'off'}, up to {maxTokens} tokens
      </summary>
      <div className="mt-3 grid gap-3 sm:grid-cols-3 lg:grid-cols-5">
        <NumberField label="Temperature" value={value.temperature} onValue={(v) => set('temperature', v)} min={0} max={5} step={0.05} hint="0 = always the likeliest word" data-testid="chat-temperature" />
        <NumberField label="Top-p" value={value.topP} onValue={(v) => set('topP', v)} min={0} max={1} step={0.05} hint="0 = greedy, 1 = off" data-testid="chat-top-p" />
        <NumberField label="Top-k" value={value.topK} onValue={(v) => set('topK', v)} min={0} step={1} hint="0 = off" data-testid="chat-top-k" />
        <NumberField label="Max tokens" value={maxTokens} onValue={(v) => set('maxTokens', v)} min={1} max={limit} step={1} hint={contextTokens ? `at most ${limit}: the model reads ${contextTokens} tokens` : undefined} data-testid="chat-max-tokens" />
        <NumberField label="Repetition penalty" value={value.repetitionPenalty} onValue={(v) => set('repetitionPenalty', v)} min={0.5} max={3} step={0.05} hint="1 = off" data-testid="chat-repetition-penalty" />
      </div>
    </details>
  );
}
