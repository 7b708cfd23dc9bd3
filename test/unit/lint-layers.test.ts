/**
 * The layering rules of eslint.config.js fire: each fixture in test/fixtures/lint/ is linted as if it stood in
 * the folder named in its first line, with the project's own config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** Lints fixture `name` as the file `as` (relative to the repository root); returns the rule ids that fired. */
async function lintAs(name: string, as: string): Promise<string[]> {
  const code = readFileSync(join(root, 'test', 'fixtures', 'lint', name), 'utf8');
  const [result] = await eslint.lintText(code, { filePath: join(root, as) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

test('a server file importing electron/cli fails the lint', async () => {
  assert.deepEqual(await lintAs('server-imports-cli.ts.txt', 'electron/server/lint-fixture.ts'), ['no-restricted-imports']);
});

test('the same import from inside electron/cli passes', async () => {
  assert.deepEqual(await lintAs('server-imports-cli.ts.txt', 'electron/cli/lint-fixture.ts'), []);
});

test('a renderer file importing the store fails the lint; the shared contract passes', async () => {
  assert.deepEqual(await lintAs('renderer-imports-store.tsx.txt', 'renderer/src/lint-fixture.tsx'), ['no-restricted-imports']);
  assert.deepEqual(await lintAs('renderer-imports-contract.tsx.txt', 'renderer/src/lint-fixture.tsx'), []);
});
