// The desktop app end to end, through Playwright's Electron support: the bundled main process, the sandboxed
// preload and the built renderer, in a real Electron. Imports the demo model (../shared/models/stories260K) and
// the bundled story-QA dataset, starts a tiny trim run, sees its progress events, opens the run page, chats with
// the trimmed checkpoint, and quits. The flow drives `window.trimllm` (the preload's API, exactly what the UI
// calls) and checks the UI's pages by their titles and text.
//
// Needs the Electron binary (`require('electron')` is its path once electron's install script has downloaded it):
// without it the test is reported as skipped ("Electron binary unavailable"), never as passed. With it, it also
// needs better-sqlite3-multiple-ciphers built for Electron's ABI (`npx @electron/rebuild -o better-sqlite3-multiple-ciphers`; `npm rebuild
// better-sqlite3-multiple-ciphers` switches back for Node) and, on Linux, a display (e.g. `xvfb-run node scripts/run-tests.mjs e2e`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { repoPath, sharedPath } from '../helpers/shared.ts';

/** The Electron executable, or null when its binary was never downloaded. */
function electronBinary(): string | null {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // electron/index.js throws when path.txt (written by the download) is missing
  }
}

const binary = electronBinary();

function run(command: string, args: string[], env: Record<string, string> = {}): { ok: boolean; output: string } {
  const r = spawnSync(command, args, { cwd: repoPath(''), encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-4000) };
}

/** Builds what the app loads: dist/electron (main, worker, preload) and, if missing, renderer/dist. */
function prepare(electron: string): void {
  const bundle = run(process.execPath, ['scripts/build-electron.mjs']);
  assert.ok(bundle.ok, `scripts/build-electron.mjs failed:\n${bundle.output}`);
  if (!existsSync(repoPath('renderer/dist/index.html'))) {
    const ui = run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts']);
    assert.ok(ui.ok, `the renderer build failed:\n${ui.output}`);
  }
  const abi = run(electron, ['-e', "require('better-sqlite3-multiple-ciphers')(':memory:').close()"], { ELECTRON_RUN_AS_NODE: '1' });
  assert.ok(abi.ok, 'better-sqlite3-multiple-ciphers is not built for Electron: run `npx @electron/rebuild -o better-sqlite3-multiple-ciphers` first ' +
    `(and \`npm rebuild better-sqlite3-multiple-ciphers\` afterwards for the Node tests):\n${abi.output}`);
  if (process.platform === 'linux') {
    assert.ok(process.env.DISPLAY || process.env.WAYLAND_DISPLAY, 'no display: run the e2e test under xvfb-run');
  }
}

type Result = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Calls the API from the page, through the preload. */
async function call<T>(page: Page, method: string, request: unknown): Promise<T> {
  const r = await page.evaluate(async ([m, req]) => {
    const api = (window as unknown as { trimllm: { call(m: unknown, r: unknown): Promise<unknown> } }).trimllm;
    try {
      return { ok: true, value: await api.call(m, req) } as const;
    } catch (error) {
      return { ok: false, error } as const;
    }
  }, [method, request] as const) as Result;
  if (!r.ok) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

/** Starts recording every API event in the page (window.__events). */
async function recordEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __events: unknown[]; trimllm: { on(e: string, l: (p: unknown) => void): () => void } };
    w.__events = [];
    for (const event of ['job.progress', 'job.finished', 'run.checkpoint', 'run.scan', 'chat.delta', 'chat.done']) {
      w.trimllm.on(event, (payload) => w.__events.push({ event, payload }));
    }
  });
}

type Recorded = { event: string; payload: Record<string, unknown> };

async function events(page: Page): Promise<Recorded[]> {
  return page.evaluate(() => (window as unknown as { __events: Recorded[] }).__events);
}

async function waitFor<T>(what: string, get: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('desktop app: import model and dataset, tiny trim run with progress, open the run, chat',
  { skip: binary ? false : 'Electron binary unavailable', timeout: 900_000 }, async () => {
    prepare(binary!);
    const dataDir = mkdtempSync(join(tmpdir(), 'trimllm-e2e-'));
    const app: ElectronApplication = await _electron.launch({
      executablePath: binary!,
      args: [repoPath('dist/electron/main.mjs')],
      env: { ...process.env, TRIMLLM_DATA_DIR: dataDir } as Record<string, string>,
      timeout: 60_000,
    });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');

      // The page is the app's own, sandboxed: no Node, only the preload's two functions; no network.
      assert.equal(page.url().startsWith('app://trimllm/'), true, page.url());
      const isolation = await page.evaluate(async () => {
        const w = window as unknown as Record<string, unknown>;
        let fetched = 'blocked';
        try {
          await fetch('https://example.com/');
          fetched = 'reached';
        } catch {
          // blocked by the CSP and the request filter
        }
        return { require: typeof w.require, process: typeof w.process, api: Object.keys(w.trimllm as object).sort(), fetched, opened: window.open('https://example.com/') === null };
      });
      assert.deepEqual(isolation, { require: 'undefined', process: 'undefined', api: ['call', 'on'], fetched: 'blocked', opened: true });
      const settings = await call<{ dataDir: string }>(page, 'settings.get', {});
      assert.equal(settings.dataDir, dataDir);

      // Import the demo model and dataset.
      await recordEvents(page);
      const model = await call<{ id: number; nLayers: number }>(page, 'models.import', { path: sharedPath('models/stories260K/stories260K.bin') });
      assert.equal(model.nLayers, 5);
      const dataset = await call<{ id: number; taskType: string }>(page, 'datasets.import', { path: repoPath('resources/demo/story-qa.jsonl') });
      assert.equal(dataset.taskType, 'mcq');

      // A tiny trim run: drop one of 10 sub-layers, small samples, no healing.
      const started = await call<{ runId: number; jobId: string }>(page, 'runs.start', {
        modelId: model.id,
        datasetId: dataset.id,
        settings: { target: 0.9, maxEpochs: 2, healEpochs: 0, maxTrain: 16, maxEval: 16, calibrationSize: 8, batchSize: 8 },
      });
      const finished = await waitFor('job.finished of the run', async () =>
        (await events(page)).find((e) => e.event === 'job.finished' && e.payload.jobId === started.jobId), 600_000);
      assert.equal(finished.payload.status, 'completed', JSON.stringify(finished.payload));
      const progress = (await events(page)).filter((e) => e.event === 'job.progress' && e.payload.jobId === started.jobId);
      assert.ok(progress.length > 0, 'progress events reached the page');
      assert.ok((await events(page)).some((e) => e.event === 'run.checkpoint' && e.payload.runId === started.runId));

      // Open the run: the API's record and the UI's run page.
      const detail = await call<{ run: { status: string }; checkpoints: { id: number; keepMask: boolean[] }[] }>(page, 'runs.get', { id: started.runId });
      assert.equal(detail.run.status, 'completed');
      const trimmed = detail.checkpoints.find((c) => c.keepMask.filter((k) => !k).length === 1);
      assert.ok(trimmed, 'a checkpoint with one sub-layer dropped');
      await page.evaluate((id) => { location.hash = `#/runs/${id}`; }, started.runId);
      await page.waitForFunction(() => document.title.endsWith('Runs'));

      // Chat with the trimmed checkpoint.
      const chat = await call<{ id: number }>(page, 'chats.create', { checkpointId: trimmed.id, title: 'e2e' });
      const sent = await call<{ jobId: string }>(page, 'chats.send', { chatId: chat.id, content: 'Once upon a time', sampling: { temperature: 0, maxTokens: 16 } });
      const done = await waitFor('chat.done', async () =>
        (await events(page)).find((e) => e.event === 'chat.done' && e.payload.jobId === sent.jobId), 120_000);
      assert.ok(Number(done.payload.tokens) > 0);
      const messages = await call<{ role: string; content: string }[]>(page, 'chats.messages', { chatId: chat.id });
      assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant']);
      assert.ok(messages[1].content.length > 0);
      await page.evaluate((id) => { location.hash = `#/chat/${id}`; }, chat.id);
      await page.waitForFunction(() => document.title.endsWith('Chat') && document.body.innerText.includes('Once upon a time'));
    } finally {
      await app.close();
    }
  });
