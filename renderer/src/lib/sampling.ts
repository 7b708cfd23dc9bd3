/** Chat sampling settings (the contract's SamplingSchema), remembered across chats in localStorage. */
import { SamplingSchema } from '../../../electron/api/contract.ts';

/** Sampling settings. */
export interface Sampling {
  temperature: number;
  topP: number;
  topK: number;
  repetitionPenalty: number;
  maxTokens: number;
}

const KEY = 'trimllm.sampling';

/** The contract's defaults. */
export const DEFAULT_SAMPLING: Sampling = SamplingSchema.parse({});

/** The last-used settings (defaults when none or invalid). */
export function loadSampling(): Sampling {
  try {
    const parsed = SamplingSchema.safeParse(JSON.parse(window.localStorage.getItem(KEY) ?? '{}'));
    return parsed.success ? parsed.data : DEFAULT_SAMPLING;
  } catch {
    return DEFAULT_SAMPLING;
  }
}

/** Remembers the settings. */
export function saveSampling(s: Sampling): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // storage disabled: settings last for this page only
  }
}
