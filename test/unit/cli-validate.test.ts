import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as trim } from '../../electron/cli/commands/trim.ts';
import { run as generate } from '../../electron/cli/commands/generate.ts';
import { UsageError, joinNegativeValues } from '../../electron/cli/args.ts';
import { describeRange } from '../../electron/cli/validate.ts';
import { RUN_SETTINGS } from '../../electron/api/run-settings.ts';
import { sharedPath, STORIES_BIN } from '../helpers/shared.ts';

const cases: [string[], RegExp][] = [
  [['--target', '2'], /^--target must be a number in \(0, 1\), got "2"$/],
  [['--target', '0'], /^--target must be a number in \(0, 1\)/],
  [['--target=-0.5'], /^--target must be a number in \(0, 1\), got "-0.5"$/],
  [['--target', '-0.5'], /^--target must be a number in \(0, 1\), got "-0.5"$/],
  [['--max-epochs', '0'], /^--max-epochs must be an integer in \[1, 200\], got "0"$/],
  [['--k', '0'], /^--k must be an integer in \[1, 8\]/],
  [['--batch=0'], /^--batch must be an integer in \[1, 256\], got "0"$/],
  [['--batch', '2.5'], /^--batch must be an integer/],
  [['--lr', 'abc'], /^--lr must be a number in \(0, 1\]/],
  [['--seed', '-1'], /^--seed must be an integer in \[0, 9007199254740991\], got "-1"$/],
  [['--floor', '1.5'], /^--floor must be a number in \[0, 1\]/],
  [['--window', '0'], /^--window must be an integer in \[2, 65536\]/],
];

test('trim rejects out-of-range flags up front, naming the flag, before anything is created', async () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-validate-'));
  for (const [flags, message] of cases) {
    await assert.rejects(
      trim(['--model', STORIES_BIN, '--data', sharedPath('datasets/grimm_fairy_tales'), '--data-dir', work, ...flags]),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      flags.join(' '),
    );
  }
  assert.deepEqual(readdirSync(work), [], 'no database, no import');
  assert.equal(existsSync(join(work, 'trimllm.db')), false);
});

test('generate rejects out-of-range sampling flags before loading the model', async () => {
  await assert.rejects(generate(['--model', '/nonexistent.bin', '--max-tokens=-5']), /^UsageError: --max-tokens must be an integer in \[1, 4096\], got "-5"$/);
  await assert.rejects(generate(['--model', '/nonexistent.bin', '--top-p', '1.5']), /--top-p must be a number in \[0, 1\], got "1.5"/);
  // top-p 0 is valid (greedy, as in the OpenAI API): it gets past the check to the missing model file.
  await assert.rejects(generate(['--model', '/nonexistent.bin', '--top-p', '0']), (e: Error) => !/--top-p/.test(e.message));
  await assert.rejects(generate(['--model', '/nonexistent.bin', '--temperature', '-1']), /--temperature must be a number in \[0, 5\]/);
});

test('negative values after a string flag are joined to it; flags and positionals are left alone', () => {
  const opts = { target: { type: 'string' }, quiet: { type: 'boolean' } } as const;
  assert.deepEqual(joinNegativeValues(['--target', '-0.5', 'x'], opts), ['--target=-0.5', 'x']);
  assert.deepEqual(joinNegativeValues(['--quiet', '-1'], opts), ['--quiet', '-1']);
  assert.deepEqual(joinNegativeValues(['--target', '--quiet'], opts), ['--target', '--quiet']);
  assert.equal(describeRange(RUN_SETTINGS.healEpochs.schema), 'an integer in [0, 200]');
});
