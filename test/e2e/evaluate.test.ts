/**
 * Issue 18 must-show in Debian's Chromium against server mode: a small trim on medmcqa, then the base model and two
 * TrimLLM checkpoints evaluated on medmcqa, pubmedqa, mmlu_professional_law and mmlu_economics (100 questions each)
 * from the CLI; the run page shows the same numbers, its link opens the Evaluate page with the run's model,
 * checkpoints and dataset preselected, and the same request there reuses the stored results (no new rows) and
 * fills the matrix with the CLI's numbers, verdicts in words and each dataset's chance level; adding the third
 * checkpoint computes only its four cells.
 * Screenshots go to test-results/e2e/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { repoPath, sharedPath, STORIES_BIN, TEST_DB_KEY, TEST_KEY_ENV } from '../helpers/shared.ts';
import { startServe } from '../helpers/serve.ts';
import { closeDatabase, openDatabase, stmt } from '../../electron/store/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = repoPath('test-results/e2e');
const DATASETS = ['medmcqa', 'pubmedqa', 'mmlu_professional_law', 'mmlu_economics'];
let server: ChildProcess;
let browser: Browser;
let url = '';
let dataDir = '';
let cliRows: { checkpoint_id: number | null; dataset: string; value: number }[] = [];

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [repoPath('bin/trimllm.mjs'), ...args, '--data-dir', dataDir], {
    cwd: repoPath(''), encoding: 'utf8', timeout: 900_000, env: { ...process.env, ...TEST_KEY_ENV },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function matrixRows(): number {
  const db = openDatabase(join(dataDir, 'trimllm.db'), { key: TEST_DB_KEY });
  try {
    return stmt<{ n: number }>(db, `SELECT count(*) AS n FROM evaluations WHERE task = 'matrix'`).get()!.n;
  } finally {
    closeDatabase(db);
  }
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(repoPath('renderer/dist/index.html'))) {
    const build = spawnSync('npm', ['run', 'build:ui'], { cwd: repoPath(''), encoding: 'utf8', timeout: 300_000 });
    assert.equal(build.status, 0, build.stderr);
  }
  dataDir = mkdtempSync(join(tmpdir(), 'trimllm-e2e-eval-'));
  cli(['trim', '--model', STORIES_BIN, '--data', sharedPath('datasets/medmcqa'), '--target', '0.8', '--heal-epochs', '0',
    '--baselines', 'none', '--max-train', '16', '--max-eval', '6', '--calibration', '4']);
  const out = cli(['eval', '--checkpoint', '1,2', '--model', STORIES_BIN, '--data', DATASETS.map((d) => sharedPath(`datasets/${d}`)).join(','),
    '--max', '100', '--json']);
  cliRows = out.trim().split('\n').map((l) => JSON.parse(l) as (typeof cliRows)[number]);
  assert.equal(cliRows.length, 12);
  const served = await startServe(dataDir);
  server = served.process;
  url = served.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'] });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGINT');
});

/** The numbers of the matrix on the page, row by row (base first), as `data-value` of each cell. */
async function pageValues(page: import('playwright-core').Page, scope: string): Promise<number[]> {
  return (await page.getByTestId(scope).getByTestId('eval-cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value')))));
}

test('the app shows the CLI matrix on the run page, and the Evaluate page reuses it', { timeout: 600_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(120_000);
  await page.goto(url);
  await page.getByTestId('nav-runs').waitFor();
  await page.evaluate(() => {
    window.location.hash = '#/runs/1';
  });
  const runCard = page.getByTestId('run-evaluations');
  await runCard.getByTestId('eval-cell').nth(11).waitFor();
  const expected = cliRows.map((r) => r.value);
  assert.deepEqual(await pageValues(page, 'run-evaluations'), expected);
  await page.screenshot({ path: join(SHOTS, 'evaluate-1-run.png'), fullPage: true });

  await page.getByTestId('run-evaluate-link').click();
  const checkpoints = page.getByTestId('eval-checkpoints').getByRole('checkbox');
  await checkpoints.nth(2).waitFor();
  assert.deepEqual(await checkpoints.evaluateAll((b) => b.map((x) => (x as HTMLInputElement).checked)), [true, true, true], 'the run\'s checkpoints preselected');
  const datasetBoxes = page.getByTestId('eval-datasets').getByRole('checkbox');
  const labels = await page.getByTestId('eval-datasets').locator('label').allInnerTexts();
  const medmcqa = labels.findIndex((l) => l.startsWith('medmcqa'));
  assert.match(labels[medmcqa]!, /the run’s own data/);
  assert.equal(await datasetBoxes.nth(medmcqa).isChecked(), true, 'the run\'s own dataset preselected');
  await checkpoints.nth(2).uncheck(); // the third checkpoint ("done") was not part of the CLI request
  for (const d of DATASETS.slice(1)) await datasetBoxes.nth(labels.findIndex((l) => l.startsWith(d))).check();
  assert.equal(await page.getByTestId('eval-max').inputValue(), '100');
  const before = matrixRows();
  await page.getByTestId('eval-start').click();
  await page.getByTestId('eval-finished').getByText('Done.').waitFor();
  assert.deepEqual(await pageValues(page, 'eval-results'), expected);
  assert.equal(matrixRows(), before, 'stored results were reused, none recomputed');
  const headers = await page.getByTestId('eval-chance').allInnerTexts();
  assert.deepEqual(headers.length, 4);
  for (const h of headers) assert.match(h, /^random guess: \d+\.\d%$/);
  const verdicts = await page.getByTestId('eval-results').getByTestId('eval-cell-verdict').allInnerTexts();
  assert.deepEqual(verdicts.slice(0, 4).map((v) => v.split(' · ')[0]), ['base model', 'base model', 'base model', 'base model']);
  for (const v of verdicts.slice(4)) assert.match(v, /^(better than the base model|same as the base model \(within noise\)|worse than the base model)/);
  await page.screenshot({ path: join(SHOTS, 'evaluate-2-matrix.png'), fullPage: true });

  // Adding the third checkpoint computes only its row; the matrix fills in as its cells arrive.
  await checkpoints.nth(2).check();
  await page.getByTestId('eval-start').click();
  await page.getByTestId('eval-results').getByTestId('eval-cell').nth(15).waitFor();
  await page.getByTestId('eval-finished').getByText('Done.').waitFor();
  const all = await pageValues(page, 'eval-results');
  assert.equal(all.length, 16);
  assert.deepEqual(all.slice(0, 12), expected);
  for (const v of all.slice(12)) assert.ok(v >= 0 && v <= 1, String(v));
  assert.equal(matrixRows(), before + 4, 'one new row per new cell');
});
