/**
 * The run-setting flags of `trimllm trim`, derived from RUN_SETTINGS (electron/api/run-settings.ts): their
 * parseArgs options, their help lines and their range errors. A setting added there is a flag here.
 */
import { readFileSync } from 'node:fs';
import { resolveTemplates } from '../../engine/data/index.ts';
import { RUN_SETTINGS, RunSettingsSchema, type RunSettings, type SettingName, type SettingSpec } from '../api/run-settings.ts';
import { UsageError } from './args.ts';
import { describeRange } from './validate.ts';

const entries = Object.entries(RUN_SETTINGS) as [SettingName, SettingSpec][];

/** parseArgs options of every setting flag (all strings: each is checked by its schema). */
export const SETTING_FLAG_OPTIONS = Object.fromEntries(entries.map(([, s]) => [s.flag, { type: 'string' as const }]));

/** The values a choice or list setting accepts. */
function choicesOf(s: SettingSpec): readonly string[] {
  const inner = s.schema instanceof Object && 'unwrap' in s.schema ? (s.schema as unknown as { unwrap(): unknown }).unwrap() : s.schema;
  const element = (inner as { element?: unknown }).element ?? inner;
  return (element as { options: readonly string[] }).options;
}

/** One help line per setting: `--flag  help (default: X; range)`. */
export function settingsHelp(): string {
  return entries.map(([, s]) => {
    const d = s.schema.safeParse(undefined);
    const dflt = s.flagKind === 'text' ? 'default none' : d.success && d.data !== undefined ? `default ${Array.isArray(d.data) ? d.data.join(',') || 'none' : JSON.stringify(d.data)}` : '';
    const range = s.flagKind === 'number' ? describeRange(s.schema) : s.flagKind === 'json-file' ? 'a JSON file' : s.flagKind === 'text' ? '' : `one of ${choicesOf(s).join(', ')}${s.flagKind === 'list' ? ' (comma-separated) or none' : ''}`;
    return `  --${s.flag.padEnd(16)} ${s.help}; ${[dflt, range].filter(Boolean).join('; ')}`;
  }).join('\n');
}

/**
 * Reads and validates a prompt-template file.
 * @throws UsageError naming the file when it is not JSON or a template is invalid
 */
function readTemplates(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--templates ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a JSON file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--templates ${path}: not valid JSON (${(e as Error).message.replace(/\s+/g, ' ')}); expected e.g. {"mcq": "Q: {question}\\nA:"}`);
  }
  try {
    resolveTemplates(json);
  } catch (e) {
    throw new UsageError(`--templates ${path}: ${(e as Error).message}`);
  }
  return json as Record<string, string>;
}

/**
 * The run settings the flags give, defaults filled from RUN_SETTINGS.
 * @param values parseArgs values (flags not given are absent)
 * @throws UsageError naming the flag and its range, e.g. `--target must be a number in (0, 1), got "2"`
 */
export function settingsFromFlags(values: Record<string, unknown>): RunSettings {
  const given: Record<string, unknown> = {};
  for (const [name, s] of entries) {
    const raw = values[s.flag];
    if (raw === undefined) continue;
    const text = String(raw);
    let v: unknown;
    if (s.flagKind === 'number') {
      v = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(v as number) || !s.schema.safeParse(v).success) throw new UsageError(`--${s.flag} must be ${describeRange(s.schema)}, got "${text}"`);
    } else if (s.flagKind === 'json-file') {
      v = readTemplates(text);
    } else if (s.flagKind === 'text') {
      const checked = s.schema.safeParse(text);
      if (!checked.success) throw new UsageError(`--${s.flag}: ${checked.error.issues[0]!.message}`);
      v = text;
    } else {
      const options = choicesOf(s);
      const list = s.flagKind === 'list' ? (text === 'none' ? [] : text.split(',')) : [text];
      for (const x of list) if (!options.includes(x)) throw new UsageError(`--${s.flag}: unknown value "${x}": use ${options.join(', ')}${s.flagKind === 'list' ? ' or none' : ''}`);
      v = s.flagKind === 'list' ? list : text;
    }
    given[name] = v;
  }
  return RunSettingsSchema.parse(given);
}
