/**
 * End to end in Debian's Chromium against server mode (`trimllm serve`): import the demo model and a dataset,
 * download the demo model from a local stand-in for the Hub (the hub.endpoint setting), start a small trim run
 * with a cheap baseline and watch progress and the layer map change, open the finished run's frontier and its
 * comparison with the base model and the baseline, chat with the trimmed checkpoint and receive a streamed
 * answer, edit and resend, reload and find the conversation still there, delete it; reclaim space and back up.
 * Screenshots of each page go to test-results/e2e/ (look at them).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoPath, sharedPath, STORIES_BIN, STORIES_TOK } from '../helpers/shared.ts';
import { startServe } from '../helpers/serve.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = repoPath('test-results/e2e');
let server: ChildProcess;
let url = '';
let browser: Browser;
let hub: Server;
let hubUrl = '';

/**
 * A stand-in for the Hub on 127.0.0.1: /karpathy/tinyllamas/resolve/main/stories260K/<file> from ../shared, with
 * Range requests, the model sent slowly (40 pieces, 100 ms apart) so the UI can show progress and cancel it.
 */
const hubRanges: string[] = [];
async function startHub(): Promise<void> {
  hub = createServer((req, res) => {
    const m = /^\/karpathy\/tinyllamas\/resolve\/main\/stories260K\/(stories260K\.bin|tok512\.bin)$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const whole = readFileSync(sharedPath(`models/stories260K/${m[1]}`));
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    if (from > 0) hubRanges.push(req.headers.range!);
    const body = whole.subarray(from);
    res.writeHead(from > 0 ? 206 : 200, {
      'content-length': body.length, ...(from > 0 ? { 'content-range': `bytes ${from}-${whole.length - 1}/${whole.length}` } : {}),
    });
    if (m[1] !== 'stories260K.bin') return void res.end(body);
    const size = Math.ceil(whole.length / 40);
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed || at >= body.length) {
        clearInterval(timer);
        return void (res.destroyed || res.end());
      }
      res.write(body.subarray(at, (at += size)));
    }, 100);
  });
  await new Promise<void>((done) => hub.listen(0, '127.0.0.1', done));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
}

async function startServer(dataDir: string): Promise<string> {
  // Not a terminal: serve prints the address and the token file, never the token (RELIABILITY.md §9).
  const served = await startServe(dataDir);
  server = served.process;
  return served.url;
}

/** Saves a screenshot, after checking that every visible form control of the page has an accessible name. */
async function shot(page: Page, name: string): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')]
      .filter((el) => el.offsetParent !== null && el.labels?.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabelled, [], `${name}: form controls without a label`);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(repoPath('renderer/dist/index.html'))) {
    const build = spawnSync('npm', ['run', 'build:ui'], { cwd: repoPath(''), encoding: 'utf8', timeout: 300_000 });
    assert.equal(build.status, 0, build.stderr);
  }
  url = await startServer(mkdtempSync(join(tmpdir(), 'trimllm-e2e-')));
  await startHub();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGINT');
  hub?.close();
});

test('import, trim with live progress and layer map, frontier, streamed chat that survives a reload', { timeout: 600_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(120_000); // 2 cores shared with training: be patient, never flaky
  await page.goto(url);
  const models = page.locator('[data-testid^="model-row-"]');

  await page.getByTestId('nav-models').click();
  await page.getByTestId('model-import-path').fill(STORIES_BIN);
  await page.getByTestId('model-import-tokenizer').fill(STORIES_TOK);
  await page.getByTestId('model-import-submit').click();
  await models.first().waitFor();
  await shot(page, '1-models');

  // The Hub download honours Settings → Hub endpoint; the finished download is imported as a second model.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-hub').fill(hubUrl);
  await page.getByTestId('settings-hub').press('Enter'); // Enter submits the form
  await page.getByRole('status').getByText('Saved.').waitFor();
  await page.getByTestId('nav-models').click();
  await page.getByTestId('hub-download-submit').click();
  // Live progress (bytes, speed, ETA), cancel, then resume from the bytes on disk (an HTTP Range request).
  await page.getByTestId('download-progress-1').getByText(/KiB\/s/).waitFor();
  await shot(page, '1a-models-hub-downloading');
  await page.getByTestId('download-cancel-1').click();
  await page.locator('[data-testid="download-1"][data-status="cancelled"]').waitFor();
  await page.getByTestId('download-resume-1').click();
  await page.locator('[data-testid="download-1"][data-status="completed"]').waitFor();
  assert.equal(hubRanges.length, 1, 'the resume asked for the rest only');
  await models.nth(1).waitFor();
  assert.equal(await models.count(), 2);
  await shot(page, '1b-models-hub-download');

  await page.getByTestId('nav-datasets').click();
  // A preview fills in the detected task and mapping; a new path puts them back to "detect" and drops the preview.
  await page.getByTestId('dataset-path').fill(sharedPath('datasets/pubmedqa/ori_pqal.json'));
  await page.getByTestId('dataset-preview-submit').click();
  await page.getByTestId('dataset-preview').waitFor();
  assert.equal(await page.getByTestId('dataset-task').inputValue(), 'yesno');
  assert.notEqual(await page.getByTestId('dataset-map').inputValue(), '');
  await page.getByTestId('dataset-path').fill(repoPath('resources/demo/story-qa.jsonl'));
  assert.equal(await page.getByTestId('dataset-task').inputValue(), '', 'the detected task is reset');
  assert.equal(await page.getByTestId('dataset-map').inputValue(), '', 'the detected mapping is reset');
  assert.equal(await page.getByTestId('dataset-preview').count(), 0, 'the old preview is gone');
  assert.equal(await page.getByTestId('dataset-import-submit').count(), 0, 'no import of the old preview');
  await page.getByTestId('dataset-preview-submit').click();
  await page.getByTestId('dataset-preview').waitFor();
  assert.match(await page.getByTestId('dataset-task-type').innerText(), /mcq/);
  await shot(page, '2-dataset-preview');
  await page.getByTestId('dataset-import-submit').click();
  await page.getByTestId('dataset-imported').waitFor();
  assert.ok(existsSync(sharedPath('models/stories260K/tok512.bin')));

  await page.getByTestId('nav-trim').click();
  await page.getByTestId('trim-preset-quick').click();
  await page.getByTestId('trim-target').fill('0.8');
  await page.getByTestId('trim-baseline-random').check();
  await page.getByTestId('trim-baseline-epochs').fill('1');
  // "Estimate time": measured on this machine with the form's settings, said in plain words; the run keeps it.
  await page.getByTestId('trim-estimate').click();
  const estimate = page.getByTestId('trim-estimate-result');
  await estimate.waitFor({ timeout: 120_000 });
  assert.match(await estimate.innerText(), /This run should take about \S+ (s|min|h) ± .+; most of the time goes to .+; fits this computer's memory\./);
  assert.equal(await estimate.getAttribute('data-current'), 'true');
  await shot(page, '3-trim-form');
  await page.getByTestId('trim-start').click();

  await page.getByTestId('progress').waitFor({ timeout: 120_000 });
  await shot(page, '4-run-progress');
  await page.locator('[data-testid^="layer-map-cell-"][data-state="dropped"]').first().waitFor({ timeout: 300_000 });
  await shot(page, '5-layer-map-drop');
  await page.getByTestId('run-status').getByText(/completed/i).waitFor({ timeout: 400_000 });
  await page.getByTestId('frontier-chart').waitFor();
  assert.ok((await page.locator('[data-testid^="layer-map-cell-"][data-state="dropped"]').count()) >= 2);
  // The base model and the random-drop baseline, measured beside the checkpoints: on the frontier and in the table.
  await page.getByTestId('comparison-row-base').waitFor();
  await page.getByTestId('comparison-row-baseline-random').waitFor();
  assert.match(await page.getByTestId('frontier-chart').innerText(), /Base model[\s\S]*Random 50%/);
  assert.match(await page.getByTestId('comparison-row-base').innerText(), /1\.00×/);
  // The finished run's notice is not an error; the heatmap's "next to drop" is a sub-layer the layer map keeps.
  assert.equal(await page.getByTestId('run-notice').getAttribute('data-tone'), 'success');
  const next = page.locator('[data-testid^="importance-cell-"][data-state="next"]');
  if ((await next.count()) > 0) {
    const name = (await next.first().getAttribute('data-testid'))!.replace('importance-cell-', '');
    assert.equal(await page.getByTestId(`layer-map-cell-${name}`).getAttribute('data-state'), 'kept', `${name} is next to drop but already dropped`);
  }
  for (const cell of await page.locator('[data-testid^="layer-map-cell-"][data-state="dropped"]').all()) {
    const name = (await cell.getAttribute('data-testid'))!.replace('layer-map-cell-', '');
    assert.equal(await page.getByTestId(`importance-cell-${name}`).getAttribute('data-state'), 'dropped', `${name} shows as dropped in the scan`);
  }
  assert.doesNotMatch(await page.getByTestId('frontier-chart').innerText(), /next_token_acc/);
  await page.getByTestId('report-file-report.md').click();
  assert.match(await page.getByTestId('report-view').innerText(), /TrimLLM run/);
  await shot(page, '6-run-frontier');

  await page.locator('[data-testid^="open-in-chat-"]').last().click();
  await page.getByTestId('chat-input').waitFor();
  await page.getByTestId('chat-input').fill('Lily had a red ball. What did Lily have?');
  await page.getByTestId('chat-send').click();
  const answer = page.locator('[data-testid="chat-message"][data-role="assistant"]').last();
  await answer.waitFor();
  await page.getByTestId('chat-stats').first().waitFor({ timeout: 120_000 });
  const text = (await answer.innerText()).trim();
  assert.ok(text.length > 0, 'a streamed answer arrived');
  assert.match(await page.locator('[data-testid^="chat-item-"]').first().innerText(), /Lily had a red ball/, 'chat titled by its first message');
  await shot(page, '7-chat');

  // Edit and resend: the user message changes in place and its old answer is replaced by a new one.
  await page.getByTestId('chat-edit').click();
  await page.getByTestId('chat-edit-input').fill('Tom had a blue kite. What did Tom have?');
  await page.getByTestId('chat-edit-resend').click();
  await page.waitForFunction(() => {
    const status = document.querySelector('[data-testid="chat-status"]')?.textContent ?? '';
    const streaming = document.querySelector('[data-testid="chat-message"][data-streaming]');
    const answers = document.querySelectorAll('[data-testid="chat-message"][data-role="assistant"]').length;
    return !streaming && answers === 1 && status.includes('Answer complete');
  }, undefined, { polling: 250 });
  const users = page.locator('[data-testid="chat-message"][data-role="user"]');
  assert.deepEqual(await users.allInnerTexts().then((t) => t.map((x) => x.replace(/^You:\s*/, '').replace(/\s*Edit$/, '').trim())), ['Tom had a blue kite. What did Tom have?']);
  assert.equal(await page.locator('[data-testid="chat-message"][data-role="assistant"]').count(), 1);
  await shot(page, '7b-chat-edited');

  await page.reload();
  await page.locator('[data-testid="chat-message"][data-role="user"]').getByText('Tom had a blue kite').waitFor();
  assert.equal(await page.locator('[data-testid="chat-message"][data-role="assistant"]').count(), 1);
  await shot(page, '8-chat-after-reload');

  // Delete the conversation (confirmed in a dialog): it leaves the list.
  assert.equal(await page.locator('[data-testid^="chat-item-"]').count(), 1);
  await page.getByTestId('chat-delete').click();
  await shot(page, '8b-chat-delete-confirm');
  await page.getByTestId('confirm-ok').click();
  await page.locator('[data-testid^="chat-item-"]').waitFor({ state: 'detached' });

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('doctor-backend').waitFor();
  assert.equal(await page.getByTestId('settings-data-dir').evaluate((el) => el.tagName), 'CODE', 'the data directory is shown, not editable');
  await page.getByTestId('settings-vacuum').click();
  await page.getByTestId('database-upkeep-result').getByText(/Reclaimed/).waitFor();
  await page.getByTestId('settings-backup').click();
  await page.getByTestId('database-upkeep-result').getByText(/Backed up .* to .*backups/).waitFor();
  await shot(page, '9-settings');
});
