// Private files and quiet logs (RELIABILITY.md §9), on one full flow through the real CLI and server mode:
// import, trim (with its report), chat, backup, export; then `trimllm serve` with API calls (dataset preview
// and import, chat messages, backup) and the event socket. Checks: the data directory and every folder the app
// made are 0700 and every file in them 0600 (database, WAL, shm, reports, backups, the key-less token file);
// an export keeps the user's umask; and no output of the CLI or the server (stdout, stderr, worker lines)
// contains the server token, the workspace key, or the text of an imported record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { openEventSocket } from '../helpers/event-socket.ts';
import { repoPath, sharedPath, STORIES_BIN, TEST_DB_KEY, TEST_KEY_ENV } from '../helpers/shared.ts';

/** A sentence of the imported data that no model output or message of ours contains. */
const RECORD = 'Quentin Marlowe deposited 48213 crowns with the Vellmar counting house';

/** Modes that are not private under `dir` (recursively), as `path mode` lines: empty when all are. */
function notPrivate(dir: string): string[] {
  const bad: string[] = [];
  const mode = statSync(dir).mode & 0o777;
  if (mode !== 0o700) bad.push(`${dir} ${mode.toString(8)}`);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bad.push(...notPrivate(path));
    else if ((statSync(path).mode & 0o777) !== 0o600) bad.push(`${path} ${(statSync(path).mode & 0o777).toString(8)}`);
  }
  return bad;
}

test('full flow: private modes after import, trim, report, chat and backup; no token, key or record text in any log', async () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-private-'));
  const ws = join(work, 'ws');
  const tales = join(work, 'tales');
  mkdirSync(tales);
  const story = readFileSync(sharedPath('datasets/grimm_fairy_tales/grimms_fairy_tales.txt'), 'utf8').slice(0, 60_000);
  writeFileSync(join(tales, 'ledger.txt'), `${story}\n\n${RECORD}.\n\n${story.slice(0, 3000)}\n${RECORD}, again.\n`);
  const logs: string[] = [];
  const cli = (args: string[]) => {
    const r = runCli(args);
    logs.push(r.stdout, r.stderr);
    assert.equal(r.status, 0, `${args[0]}: ${r.stderr}`);
    return r;
  };

  cli(['import-data', tales, '--task', 'text', '--name', 'ledger', '--data-dir', ws]);
  assert.deepEqual(notPrivate(ws), [], 'after import');
  const report = join(work, 'report');
  cli(['trim', '--model', STORIES_BIN, '--data', tales, '--task', 'text', '--data-dir', ws, '--report-dir', report,
    '--target', '0.9', '--heal-epochs', '0', '--baselines', 'none', '--max-train', '8', '--max-eval', '4', '--calibration', '2', '--window', '48']);
  assert.deepEqual(notPrivate(ws), [], 'after trim');
  assert.deepEqual(notPrivate(report), [], 'the report (it quotes records and answers)');
  cli(['chat', '--checkpoint', '1', '--message', 'Tell me a story', '--max-tokens', '12', '--temperature', '0', '--save', '--data-dir', ws]);
  assert.deepEqual(notPrivate(ws), [], 'after chat');
  const backupDir = join(work, 'backups');
  mkdirSync(backupDir, { mode: 0o700 });
  cli(['backup', join(backupDir, 'copy.db'), '--data-dir', ws]);
  assert.deepEqual(notPrivate(backupDir), [], 'the backup');
  // An export goes where the user says, with the user's umask: it is not encrypted and not ours to hide.
  const exported = join(work, 'export');
  cli(['export', '--checkpoint', '1', '--data-dir', ws, '--out', exported]);
  const umask = process.umask();
  assert.equal(statSync(join(exported, 'config.json')).mode & 0o777, 0o666 & ~umask, 'export: the user umask');

  // Server mode: its own output and its workers' lines.
  const server = spawn(process.execPath, [repoPath('bin/trimllm.mjs'), 'serve', '--port', '0', '--data-dir', ws], {
    cwd: repoPath(''), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...TEST_KEY_ENV },
  });
  let serverLog = '';
  server.stdout!.on('data', (c: Buffer) => (serverLog += c.toString()));
  server.stderr!.on('data', (c: Buffer) => (serverLog += c.toString()));
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!/the token is in (\S+)\)/.test(serverLog)) {
    assert.ok(Date.now() - started < 60_000, `serve did not start:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /TrimLLM Studio at (http:\/\/127\.0\.0\.1:\d+)\//.exec(serverLog)![1]!;
  const tokenFile = /the token is in (\S+)\)/.exec(serverLog)![1]!;
  const token = readFileSync(tokenFile, 'utf8').trim();
  const api = async (method: string, body: unknown) => {
    const r = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, `${method}: ${await r.clone().text()}`);
    return (await r.json()) as unknown;
  };
  const events: string[] = [];
  const socket = await openEventSocket(url, token, (data) => events.push(data));
  const preview = JSON.stringify(await api('datasets.preview', { path: tales, task: 'text' }));
  assert.ok(preview.includes('Quentin Marlowe'), 'the API answers with the records (to the page, not to a log)');
  await api('datasets.import', { path: tales, task: 'text', name: 'ledger again' });
  assert.ok(JSON.stringify(await api('chats.messages', { chatId: 1 })).includes('Tell me a story'));
  await api('store.backup', {});
  socket.terminate();
  server.kill('SIGTERM');
  assert.equal(await exited, 0, serverLog);
  assert.deepEqual(notPrivate(ws), [], 'after serve: backups/, the token file');
  assert.ok(readdirSync(join(ws, 'backups')).length === 1);

  logs.push(serverLog);
  const all = logs.join('\n');
  assert.ok(all.includes('TrimLLM Studio at') && all.includes('run 1 completed'), 'the logs were captured');
  for (const [what, secret] of [['the server token', token], ['the workspace key', TEST_DB_KEY], ['record text', 'Quentin Marlowe'], ['record text', '48213 crowns']] as const) {
    assert.equal(all.includes(secret), false, `${what} appears in a log`);
  }
});
