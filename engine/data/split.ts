/**
 * Train/validation/test splits: the source's own split when its folder layout or file names give one, otherwise a
 * deterministic seeded split (default 80/10/10, seed 1234). The same records and seed always give the same split.
 */
import { seededPermutation } from '../random.ts';
import { DatasetMappingError } from './errors.ts';
import type { Split } from './types.ts';

/** Fractions of a seeded split; non-negative, summing to 1. */
export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

/** How to split: `auto` (default) uses the source split when there is one (two or more split names), else seeded. */
export interface SplitOptions {
  mode?: 'auto' | 'source' | 'seeded';
  /** Seed of the seeded split (default {@link DEFAULT_SPLIT_SEED}); any 32-bit integer. */
  seed?: number;
  fractions?: SplitFractions;
}

/** Default seed of the seeded split. */
export const DEFAULT_SPLIT_SEED = 1234;
/** Default fractions of the seeded split. */
export const DEFAULT_SPLIT_FRACTIONS: Readonly<SplitFractions> = { train: 0.8, validation: 0.1, test: 0.1 };

/** How the records were split, for the import report. */
export interface SplitInfo {
  origin: 'source' | 'seeded';
  /** Seed and fractions (seeded splits only). */
  seed?: number;
  fractions?: SplitFractions;
  /** Source split names and the split each became (source splits only), e.g. `{dev: 'train', val: 'validation'}`. */
  sourceNames?: Record<string, Split>;
  counts: Record<Split, number>;
  /** Things the user should know, e.g. a source layout without a validation split. */
  warnings: string[];
}

const VALIDATION_NAMES = new Set(['val', 'valid', 'validation', 'eval']);

/**
 * Canonical split of a source split name: `train`/`training` → train; `val`/`valid`/`validation`/`eval` →
 * validation; `test`/`testing` → test; `dev` → train when the layout also has a validation split (MMLU: `dev`
 * holds the few-shot examples, `val` the validation set), else validation.
 * @param present every source split name of the dataset
 * @returns undefined for names that are not split names
 */
export function canonicalSplit(name: string, present: readonly string[]): Split | undefined {
  const n = name.toLowerCase();
  if (n === 'train' || n === 'training') return 'train';
  if (VALIDATION_NAMES.has(n)) return 'validation';
  if (n === 'test' || n === 'testing') return 'test';
  if (n === 'dev') return present.some((p) => VALIDATION_NAMES.has(p.toLowerCase())) ? 'train' : 'validation';
  return undefined;
}

export { seededPermutation } from '../random.ts';

function checkFractions(f: SplitFractions): void {
  const vals = [f.train, f.validation, f.test];
  if (vals.some((v) => !Number.isFinite(v) || v < 0) || Math.abs(vals[0] + vals[1] + vals[2] - 1) > 1e-6) {
    throw new DatasetMappingError(`split fractions must be non-negative and sum to 1, got ${JSON.stringify(f)}`);
  }
}

/**
 * Assigns a split to each of `n` records.
 * Seeded: the records are permuted with the seed; the first round(n·validation) (at least 1 when n ≥ 3 and the
 * fraction is > 0) go to validation, the next round(n·test) to test, the rest to train.
 * @param sourceSplits the source split name of each record (undefined when the layout names none)
 * @throws DatasetMappingError when fractions are invalid, or mode is `source` and the layout gives no split
 */
export function assignSplits(sourceSplits: readonly (string | undefined)[], options: SplitOptions = {}): { splits: Split[]; info: SplitInfo } {
  const n = sourceSplits.length;
  const names = [...new Set(sourceSplits.filter((s): s is string => s !== undefined))];
  const mapped = new Map(names.map((s) => [s, canonicalSplit(s, names)] as const));
  const usable = sourceSplits.every((s) => s !== undefined && mapped.get(s) !== undefined) && new Set(mapped.values()).size >= 2;
  const mode = options.mode ?? 'auto';
  if (mode === 'source' && !usable) {
    throw new DatasetMappingError(
      `the dataset layout gives no usable split (found ${names.length ? names.join(', ') : 'no split names'}); use a seeded split`,
    );
  }
  const counts: Record<Split, number> = { train: 0, validation: 0, test: 0 };
  if (mode !== 'seeded' && usable) {
    const splits = sourceSplits.map((s) => mapped.get(s!)!);
    for (const s of splits) counts[s]++;
    const warnings = (['train', 'validation'] as const)
      .filter((s) => counts[s] === 0)
      .map((s) => `the source layout has no ${s} split; import with a seeded split if you need one`);
    const sourceNames = Object.fromEntries(names.map((s) => [s, mapped.get(s)!])) as Record<string, Split>;
    return { splits, info: { origin: 'source', sourceNames, counts, warnings } };
  }
  const fractions = options.fractions ?? { ...DEFAULT_SPLIT_FRACTIONS };
  checkFractions(fractions);
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  let nVal = Math.round(n * fractions.validation);
  if (nVal === 0 && fractions.validation > 0 && n >= 3) nVal = 1;
  const nTest = Math.min(n - nVal, Math.round(n * fractions.test));
  const splits = new Array<Split>(n).fill('train');
  seededPermutation(n, seed).forEach((rec, pos) => {
    splits[rec] = pos < nVal ? 'validation' : pos < nVal + nTest ? 'test' : 'train';
  });
  for (const s of splits) counts[s]++;
  return { splits, info: { origin: 'seeded', seed, fractions, counts, warnings: [] } };
}

/** Share of the donor split that becomes validation when a dataset has no validation split. */
export const CARVED_VALIDATION_FRACTION = 0.2;

/**
 * Gives a dataset without validation records one, for calibration and the accuracy floor: a seeded
 * {@link CARVED_VALIDATION_FRACTION} (at least 1 record) of the test split moves to validation, or of the train
 * split when the test split has fewer than 2 records; the donor keeps at least 1 record. Records keep their order;
 * the same records and seed always give the same carve. Nothing changes when validation is not empty or no
 * split has 2 records.
 * @param records the dataset's records with their splits (not modified)
 * @param seed seed of the permutation that picks the moved records
 * @returns the records (copies where the split changed) and a sentence saying what moved, or null
 */
export function carveValidation<R extends { split: Split }>(records: readonly R[], seed: number): { records: R[]; note: string | null } {
  const count = (s: Split) => records.filter((r) => r.split === s).length;
  if (count('validation') > 0) return { records: [...records], note: null };
  const donor = count('test') >= 2 ? 'test' : count('train') >= 2 ? 'train' : null;
  if (!donor) return { records: [...records], note: null };
  const at = records.flatMap((r, i) => (r.split === donor ? [i] : []));
  const take = Math.min(at.length - 1, Math.max(1, Math.round(at.length * CARVED_VALIDATION_FRACTION)));
  const moved = new Set(seededPermutation(at.length, seed).slice(0, take).map((p) => at[p]!));
  return {
    records: records.map((r, i) => (moved.has(i) ? { ...r, split: 'validation' as Split } : r)),
    note: `the dataset has no validation split: ${take} of its ${at.length} ${donor} records (a seeded ` +
      `${Math.round(CARVED_VALIDATION_FRACTION * 100)}%, seed ${seed}) are used as validation`,
  };
}
