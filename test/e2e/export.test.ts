/**
 * End to end in Debian's Chromium against server mode (`trimllm serve`): a checkpoint of a small trim run (made
 * with the CLI) is exported from its run page with the Export button, as a GGUF file (Q8_0) and as a Hugging Face
 * folder; the files are found on disk and the GGUF loads in llama.cpp. Screenshot: test-results/e2e/export.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { LlamaCppModel } from '../../engine/runtime/llama-cpp.ts';
import { runCli } from '../helpers/cli.ts';
import { repoPath, sharedPath, STORIES_BIN } from '../helpers/shared.ts';
import { startServe } from '../helpers/serve.ts';

const SHOTS = repoPath('test-results/e2e');
const work = mkdtempSync(join(tmpdir(), 'trimllm-e2e-export-'));
const ws = join(work, 'ws');
let server: ChildProcess;
let browser: Browser;
let url = '';

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // Always rebuild: a renderer/dist from before this feature would have no Export button.
  const build = spawnSync('npm', ['run', 'build:ui'], { cwd: repoPath(''), encoding: 'utf8', timeout: 300_000 });
  assert.equal(build.status, 0, build.stderr);
  const tales = join(work, 'tales');
  mkdirSync(tales);
  const story = readFileSync(sharedPath('datasets/grimm_fairy_tales/grimms_fairy_tales.txt'), 'utf8').slice(0, 60_000);
  writeFileSync(join(tales, 'tales.txt'), `${story}\n\nThe end.\n\n${story.slice(0, 3000)}\nThe end, again.\n`);
  const trim = runCli(['trim', '--model', STORIES_BIN, '--data', tales, '--task', 'text', '--data-dir', ws, '--report-dir', join(work, 'report'),
    '--target', '0.9', '--heal-epochs', '0', '--baselines', 'none', '--max-train', '8', '--max-eval', '4', '--calibration', '2', '--window', '48']);
  assert.equal(trim.status, 0, trim.stderr);
  const served = await startServe(ws);
  server = served.process;
  url = served.url;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGINT');
});

test('Export button: a checkpoint saved as GGUF (loads in llama.cpp) and as a Hugging Face folder', { timeout: 600_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(120_000);
  await page.goto(url);
  await page.evaluate(() => { window.location.hash = '#/runs/1'; });
  const row = page.locator('[data-testid^="checkpoint-row-"]').first();
  await row.waitFor();
  const id = (await row.getAttribute('data-testid'))!.replace('checkpoint-row-', '');
  await page.getByTestId(`export-${id}`).click();
  const form = page.getByTestId(`export-form-${id}`);

  const ggufDir = join(work, 'gguf-out');
  await form.getByTestId('export-dtype').selectOption('Q8_0');
  await form.getByTestId('export-destination').fill(ggufDir);
  await form.getByTestId('export-start').click();
  const path = await form.getByTestId('export-path').innerText();
  assert.equal(path, join(ggufDir, `trimllm-checkpoint-${id}-Q8_0.gguf`));
  assert.ok(existsSync(path), 'the GGUF is on disk');
  assert.match(readFileSync(join(ggufDir, `trimllm-checkpoint-${id}-Q8_0.Modelfile`), 'utf8'), new RegExp(`^FROM ./trimllm-checkpoint-${id}-Q8_0\\.gguf`));
  await form.getByText(/ollama create trimllm-checkpoint-/).waitFor();
  await page.screenshot({ path: join(SHOTS, 'export.png'), fullPage: true });
  const model = await LlamaCppModel.open(path, { contextSize: 64 });
  try {
    const logp = await model.nextLogProbs([1, 403, 407]);
    assert.equal(logp.length, 512);
    assert.ok(Math.abs(logp.reduce((a, v) => a + Math.exp(v), 0) - 1) < 1e-3, 'a probability distribution');
  } finally {
    await model.dispose();
  }

  const hfDir = join(work, 'hf-out');
  await form.getByTestId('export-format').selectOption('hf');
  await form.getByTestId('export-destination').fill(hfDir);
  await form.getByTestId('export-start').click();
  await form.getByTestId('export-path').getByText(hfDir).waitFor();
  assert.ok(existsSync(join(hfDir, 'config.json')) && existsSync(join(hfDir, 'model.safetensors')), 'the HF folder is on disk');
});
