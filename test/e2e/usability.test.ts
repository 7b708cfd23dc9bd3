/**
 * The app as a clinic administrator meets it (issue 16), in Debian's Chromium against `trimllm serve`:
 * a model folder holding one llama2.c .bin picked with the folder browser and imported; a non-model file refused
 * in plain words; a dataset named after its folder; deleting a dataset used by a run says so first; the Server
 * page's base URL, token and model id answering a curl-equivalent request; the recommended checkpoint and the
 * guessing line on a finished run, and its quality check (sample answers beside the base model's). Then every page at 1280×800 and 800×600: no horizontal scroll, no raw
 * validation text or snake_case identifier in the visible text, no serious or critical axe violation, and a
 * screenshot of each in test-results/usability/ (look at them).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { repoPath, STORIES_BIN, STORIES_TOK, TEST_KEY_ENV } from '../helpers/shared.ts';
import { startServe, type Served } from '../helpers/serve.ts';

const SHOTS = repoPath('test-results/usability');
let served: Served;
let browser: Browser;
let home = '';

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(repoPath('renderer/dist/index.html'))) {
    const build = spawnSync('npm', ['run', 'build:ui'], { cwd: repoPath(''), encoding: 'utf8', timeout: 300_000 });
    assert.equal(build.status, 0, build.stderr);
  }
  // The user's home: a model folder as downloaded (checkpoint + tokenizer), exam questions, and a stray file.
  home = mkdtempSync(join(tmpdir(), 'trimllm-home-'));
  mkdirSync(join(home, 'models', 'stories260K'), { recursive: true });
  copyFileSync(STORIES_BIN, join(home, 'models', 'stories260K', 'stories260K.bin'));
  copyFileSync(STORIES_TOK, join(home, 'models', 'stories260K', 'tok512.bin'));
  mkdirSync(join(home, 'clinic-exams'));
  copyFileSync(repoPath('resources/demo/story-qa.jsonl'), join(home, 'clinic-exams', 'dev.jsonl'));
  writeFileSync(join(home, 'notes.bin'), 'exam schedule for March, room 4 — not a model');
  // A finished run to read: trimmed with the CLI into the same workspace (small, ~20 s).
  const dataDir = mkdtempSync(join(tmpdir(), 'trimllm-usab-'));
  const trim = spawnSync(process.execPath, [
    repoPath('bin/trimllm.mjs'), 'trim', '--model', STORIES_BIN, '--data', repoPath('resources/demo/story-qa.jsonl'), '--target', '0.8',
    '--max-epochs', '3', '--baselines', 'full-finetune', '--baseline-epochs', '1', '--max-train', '32', '--max-eval', '48', '--calibration', '8', '--data-dir', dataDir,
  ], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...TEST_KEY_ENV } });
  assert.equal(trim.status, 0, trim.stderr);
  served = await startServe(dataDir, { HOME: home });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  served?.process.kill('SIGINT');
});

/** Words that are raw validation output, not sentences for people. */
const ZOD_TEXT = /Too big|Too small|Invalid input|invalid_type|Expected (number|string|boolean)|invalid request for|ZodError/;

/** Checks one page in its current state (width, words, accessibility), saves its screenshot; returns the problems. */
async function audit(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  const size = page.viewportSize()!;
  const tag = `${name}@${size.width}x${size.height}`;
  await page.waitForTimeout(300); // charts lay out after a frame
  const width = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    // The innermost elements sticking out on the right, to say what to fix.
    const out = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > client + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > client + 1))
      .slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${String(el.className).split(' ').slice(0, 3).join('.')}`);
    return { scroll: document.documentElement.scrollWidth, client, out };
  });
  if (width.scroll > width.client) problems.push(`${tag}: page is ${width.scroll} px wide in a ${width.client} px window (${width.out.join(', ')})`);
  const text = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('code, pre, script, style, [aria-hidden="true"]')) continue;
      if (parent.offsetParent === null && parent.tagName !== 'BODY' && !(parent instanceof SVGElement)) continue;
      out.push(node.textContent ?? '');
    }
    return out.join(' ');
  });
  if (ZOD_TEXT.test(text)) problems.push(`${tag}: raw validation text: ${ZOD_TEXT.exec(text)![0]}`);
  const snake = text.split(/\s+/).map((w) => w.replace(/^[("'“]+|[)"'”.,:;!?]+$/g, '')).filter((w) => !w.includes('/') && /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(w));
  if (snake.length > 0) problems.push(`${tag}: snake_case identifiers on screen: ${snake.join(', ')}`);
  const axe = await new AxeBuilder({ page }).analyze();
  const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) problems.push(`${tag}: axe ${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  await page.screenshot({ path: join(SHOTS, `${tag}.png`), fullPage: true });
  return problems;
}

test('folder import, plain errors, dataset names, server panel, recommended checkpoint; every page audited at two sizes', { timeout: 900_000 }, async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(served.url);

  // A model folder picked with the folder browser (home only), holding stories260K.bin and tok512.bin.
  await page.getByTestId('nav-models').click();
  await page.getByTestId('model-import-path-browse').click();
  const browserPanel = page.getByTestId('path-browser');
  await browserPanel.getByRole('button', { name: 'Home' }).click();
  await browserPanel.getByRole('button', { name: /models/ }).click();
  await browserPanel.getByRole('button', { name: /stories260K/ }).click();
  await page.getByTestId('path-browser-use-folder').click();
  assert.equal(await page.getByTestId('model-import-path').inputValue(), join(home, 'models', 'stories260K'));
  await page.getByTestId('model-import-submit').click();
  const rows = page.locator('[data-testid^="model-row-"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="model-row-"]').length >= 2);
  assert.match(await rows.last().innerText(), /stories260K/);

  // A file that is no model: said in words, no header numbers.
  await page.getByTestId('model-import-path').fill(join(home, 'notes.bin'));
  await page.getByTestId('model-import-submit').click();
  const error = page.getByTestId('error').first();
  await error.waitFor();
  assert.match(await error.innerText(), /not a model file this app can read/);
  assert.doesNotMatch(await error.innerText(), /header values|\[\d+,/);
  await page.getByTestId('model-import-path').fill('');

  // A dataset named after its folder (clinic-exams/dev.jsonl → "clinic-exams").
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-path').fill(join(home, 'clinic-exams', 'dev.jsonl'));
  await page.getByTestId('dataset-preview-submit').click();
  await page.getByTestId('dataset-import-submit').click();
  await page.getByTestId('dataset-imported').waitFor();
  await page.getByTestId('datasets-list').getByText('clinic-exams', { exact: true }).waitFor();
  // Deleting the dataset the run was trained on says so before, and offers to delete the run too.
  await page.getByTestId('dataset-delete-1').click();
  assert.match(await page.locator('[data-testid="confirm-dialog"][open]').innerText(), /trained on it: deleting the dataset deletes that run too/);
  assert.match(await page.locator('[data-testid="confirm-dialog"][open] [data-testid="confirm-ok"]').innerText(), /Delete dataset and its run/);
  await page.locator('[data-testid="confirm-dialog"][open] [data-testid="confirm-cancel"]').click();

  // The server panel: what it shows is enough to call the API.
  await page.getByTestId('nav-server').click();
  await page.locator('[data-testid="server-model-row"]').first().waitFor();
  const baseUrl = (await page.getByTestId('server-base-url').innerText()).trim();
  const token = (await page.getByTestId('server-token').innerText()).trim();
  assert.equal(baseUrl, `${served.origin}/v1`);
  assert.equal(token, served.token);
  const ids = (await page.locator('[data-testid="server-model-row"] td:first-child').allInnerTexts()).map((t) => t.trim());
  assert.ok(ids.includes('model-1') && ids.some((id) => id.startsWith('checkpoint-')), ids.join(', '));
  assert.match(await page.getByTestId('server-models').innerText(), /stories260K \(import 1\) · run 1 · heal 2 \(8\/10 kept\)/, 'checkpoints have names; two imports of one name are told apart');
  const checkpoint = ids.find((id) => id.startsWith('checkpoint-'))!;
  await page.getByTestId('server-example-model').selectOption(checkpoint);
  const curl = await page.getByTestId('server-curl').innerText();
  const body = /-d '(.*)'/s.exec(curl)![1]!;
  const res = await fetch(`${baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  assert.equal(res.status, 200);
  const answer = (await res.json()) as { model: string; choices: { message: { content: string } }[] };
  assert.equal(answer.model, checkpoint);
  assert.equal(typeof answer.choices[0]!.message.content, 'string');

  // The finished run: a recommended checkpoint with its rule, the guessing line and ± errors.
  await page.goto(`${served.origin}/#/runs/1`);
  await page.getByTestId('recommended-card').waitFor();
  assert.match(await page.getByTestId('recommended-rule').innerText(), /smallest checkpoint whose score is within the noise of the best fine-tuned model/);
  await page.getByTestId('recommended-badge').waitFor();
  assert.equal(await page.locator('[data-testid="frontier-chart"] .recharts-reference-line').count(), 1, 'the guessing line');
  await page.getByTestId('frontier-chart').locator('svg text', { hasText: /guessing \(\d+%\)/ }).first().waitFor();
  assert.match(await page.getByTestId('comparison-table').innerText(), /%\s±\s\d+\.\d/);

  // The quality check: three held-out questions answered by the base model and the recommended checkpoint.
  await page.getByTestId('quality-check-run').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="quality-sample"]').length === 3, undefined, { timeout: 180_000 });
  await page.locator('[data-testid="quality-check-run"]:not([disabled])').waitFor();
  for (const sample of await page.getByTestId('quality-sample').all()) assert.match(await sample.innerText(), /Base model[\s\S]+\S/);

  // A chat with the recommended checkpoint, for the chat page's audit.
  await page.locator('[data-testid="recommended-badge"]').locator('xpath=ancestor::tr').getByRole('button', { name: /in chat/ }).click();
  await page.getByTestId('chat-input').fill('Lily had a red ball. What did Lily have?');
  await page.getByTestId('chat-send').click();
  await page.getByTestId('chat-stats').first().waitFor({ timeout: 120_000 });
  const chatHash = new URL(page.url()).hash;

  const pages: [string, string][] = [
    ['models', '#/models'], ['model-inspect', '#/models/1'], ['datasets', '#/datasets'], ['trim', '#/trim'], ['runs', '#/runs'],
    ['run', '#/runs/1'], ['chat-new', '#/chat/new'], ['chat', chatHash], ['server', '#/server'], ['settings', '#/settings'],
  ];
  const problems: string[] = [];
  for (const viewport of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
    await page.setViewportSize(viewport);
    for (const [name, hash] of pages) {
      await page.goto(`${served.origin}/${hash}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      problems.push(...(await audit(page, name)));
    }
  }
  assert.deepEqual(problems, [], 'every page at both sizes: no horizontal scroll, no raw text, no serious/critical axe violation');
});
