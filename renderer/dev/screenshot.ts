/**
 * Screenshots of every page against the mock server (not shipped; for looking at the UI during development).
 *   npx tsx renderer/dev/mock-server.ts &      # serves renderer/dist and the mock API on :8787
 *   npx tsx renderer/dev/screenshot.ts [--base http://127.0.0.1:8787] [--out /tmp/trimllm-shots]
 * Uses Debian's Chromium through playwright-core (never downloads a browser). Fails on any page error.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const BASE = arg('--base', 'http://127.0.0.1:8787');
const OUT = arg('--out', '/tmp/trimllm-shots');
const ONLY = arg('--only', '');
mkdirSync(OUT, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
const problems: string[] = [];
page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
});

async function shot(name: string, hash: string, prepare?: (p: Page) => Promise<void>) {
  if (ONLY && !name.includes(ONLY)) return;
  await page.goto(`${BASE}/${hash}`);
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(400);
  if (prepare) await prepare(page);
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });
  console.log(`${name}.png`);
}

if (args.includes('--empty')) {
  // Against `mock-server.ts --empty --port 8788`: the first-run empty states and an error.
  await shot('e0-token', '#token=dev-token');
  await shot('e1-models-empty', '#/models', async (p) => {
    await p.getByTestId('model-import-path').fill('/models/llama.pt');
    await p.getByTestId('model-import-submit').click();
    await p.getByTestId('error').waitFor();
  });
  await shot('e2-trim-empty', '#/trim');
  await shot('e3-runs-empty', '#/runs');
  await shot('e4-chat-empty', '#/chat');
  await shot('e5-no-such-run', '#/runs/99');
  await browser.close();
  console.log(problems.join('\n'));
  process.exit(0);
}

await shot('00-token', '#token=dev-token');
console.log('url after token capture:', page.url());
await shot('01-models', '#/models/1');
await shot('02-models-big', '#/models/3');
await shot('03-datasets', '#/datasets', async (p) => {
  await p.getByTestId('dataset-path').fill('/data/story-qa.jsonl');
  await p.getByTestId('dataset-preview-submit').click();
  await p.getByTestId('dataset-preview').waitFor();
});
await shot('04-trim', '#/trim');
await shot('05-runs', '#/runs');
await shot('06-run-completed', '#/runs/1');
await shot('07-run-live', '#/runs/3', async (p) => {
  await p.getByTestId('progress').waitFor();
  await p.waitForTimeout(1500);
});
await shot('08-run-failed', '#/runs/2');
await shot('09-chat', '#/chat/1');
await shot('10-chat-streaming', '#/chat/1', async (p) => {
  await p.getByTestId('chat-input').fill('And another story, please.');
  await p.keyboard.press('Enter');
  await p.waitForTimeout(900);
});
await shot('11-chat-done', '#/chat/1', async (p) => {
  await p.getByTestId('chat-status').getByText('tokens/s').waitFor({ timeout: 10000 });
});
await shot('12-chat-new', '#/chat/new');
await shot('13-settings', '#/settings');
await shot('14-keyboard-focus', '#/trim', async (p) => {
  for (let i = 0; i < 9; i++) await p.keyboard.press('Tab');
});

await browser.close();
if (problems.length) {
  console.log(problems.join('\n'));
  process.exitCode = 1;
}
