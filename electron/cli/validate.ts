/**
 * Range checks of the CLI's numeric flags, taken from the zod schemas the API uses (electron/api/), so the CLI
 * and the UI accept exactly the same values, and the message names the flag and its range.
 */
import { z } from 'zod';
import { SamplingSchema } from '../api/contract.ts';
import { RUN_SETTINGS } from '../api/run-settings.ts';
import { UsageError } from './args.ts';

/** Sampling flags of `generate` / `chat`: the API's SamplingSchema plus the seed (an integer in [0, 2^53 − 1]). */
export const CliSamplingSchema = SamplingSchema.extend({ seed: RUN_SETTINGS.seed.schema });

/** Formats a number for a range (integers as is, others with up to 6 significant digits). */
function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/**
 * The accepted range of a numeric zod field in words, from its JSON schema: `a number in (0, 1)`,
 * `an integer in [1, 256]`. An integer's range always has its upper end (2^53 − 1 when no smaller one is set), so
 * `--seed 1152921504606846977` is told the real limit.
 */
export function describeRange(field: z.ZodType): string {
  const j = z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }) as {
    type?: string; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number;
  };
  const kind = j.type === 'integer' ? 'an integer' : 'a number';
  const lo = j.exclusiveMinimum ?? j.minimum;
  const hi = j.exclusiveMaximum ?? (j.maximum !== undefined && (j.type === 'integer' || j.maximum < Number.MAX_SAFE_INTEGER) ? j.maximum : undefined);
  if (lo !== undefined && hi !== undefined) {
    return `${kind} in ${j.exclusiveMinimum !== undefined ? '(' : '['}${num(lo)}, ${num(hi)}${j.exclusiveMaximum !== undefined ? ')' : ']'}`;
  }
  if (lo !== undefined) return `${kind} ${j.exclusiveMinimum !== undefined ? '>' : '≥'} ${num(lo)}`;
  if (hi !== undefined) return `${kind} ${j.exclusiveMaximum !== undefined ? '<' : '≤'} ${num(hi)}`;
  return kind;
}

/**
 * Parses and range-checks the numeric flags that were given (absent flags are left out of the result).
 * @param schema an object schema whose fields are the settings
 * @param values the parsed flag values (strings)
 * @param flags flag name → schema field, e.g. `{ target: 'target', batch: 'batchSize' }`
 * @returns the given flags' numbers keyed by schema field
 * @throws UsageError naming the flag and its range, e.g. `--target must be a number in (0, 1), got "2"`
 */
export function numericFlags<S extends z.ZodObject, K extends keyof S['shape'] & string>(
  schema: S, values: Record<string, unknown>, flags: Record<string, K>,
): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const [flag, key] of Object.entries(flags) as [string, K][]) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const field = schema.shape[key] as z.ZodType;
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!field.safeParse(n).success || !Number.isFinite(n)) {
      throw new UsageError(`--${flag} must be ${describeRange(field)}, got "${String(raw)}"`);
    }
    out[key] = n;
  }
  return out;
}
