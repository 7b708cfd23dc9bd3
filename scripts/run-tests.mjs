// Runs every test/**/*.test.ts with Node's test runner (through tsx), streams the spec report, and ends with the
// plain summary line `N passed, N failed, N skipped` that CI reads. Usage: node scripts/run-tests.mjs [filter...]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
const tapFile = join(mkdtempSync(join(tmpdir(), 'trimllm-tests-')), 'report.tap');
const args = [
  '--import', 'tsx', '--test', '--test-concurrency=2',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
  ...files,
];
// One engine thread unless a test asks for more (engine/parallel/threads.ts): results stay those of the serial path.
const env = { ...process.env, TRIMLLM_THREADS: process.env.TRIMLLM_THREADS ?? '1' };
const child = spawn(process.execPath, args, { stdio: 'inherit', env });
child.on('exit', (code) => {
  const tap = readFileSync(tapFile, 'utf8');
  const count = (name) => Number((tap.match(new RegExp(`^# ${name} (\\d+)$`, "m")) ?? [])[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  const skipped = count('skipped') + count('todo');
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
});
