/**
 * Repository of app settings: a key → JSON value map (e.g. `hub.endpoint`, `ui.theme`). Readers pass a zod
 * schema so a value written by another version of the app, or edited by hand, is checked before use.
 */
import type { z } from 'zod';
import { stmt, type Database } from './driver.ts';
import { fromJsonText, nowSeconds, toJsonText } from './values.ts';

/**
 * The value of a setting, checked against `schema`, or undefined when it is not set.
 * @throws Error naming the key when the stored value does not match the schema.
 */
export function getSetting<S extends z.ZodType>(db: Database, key: string, schema: S): z.output<S> | undefined {
  const row = stmt<{ value: string }>(db, 'SELECT value FROM settings WHERE key = ?').get(key);
  if (!row) return undefined;
  const parsed = schema.safeParse(fromJsonText(row.value, `setting "${key}"`));
  if (!parsed.success) throw new Error(`setting "${key}" has an unexpected value: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * Sets (inserts or replaces) a setting.
 * @throws Error when the value has no JSON form (undefined, NaN, a bigint…); SqliteError on an empty key.
 */
export function setSetting(db: Database, key: string, value: unknown): void {
  stmt(
    db,
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, toJsonText(value, `setting "${key}"`), nowSeconds());
}

/**
 * Removes a setting.
 * @returns false when it was not set.
 */
export function deleteSetting(db: Database, key: string): boolean {
  return stmt(db, 'DELETE FROM settings WHERE key = ?').run(key).changes > 0;
}

/** Every setting as raw JSON values, by key (for export and diagnostics). */
export function listSettings(db: Database): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of stmt<{ key: string; value: string }>(db, 'SELECT key, value FROM settings ORDER BY key').all()) {
    out[r.key] = fromJsonText(r.value, `setting "${r.key}"`);
  }
  return out;
}
