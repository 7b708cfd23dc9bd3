// The cost of encryption at rest (usage: node scripts/encryption-cost.mjs [--rounds 3]): the real CLI on
// stories260K, once on an encrypted workspace (TRIMLLM_DB_KEY) and once on a plain one (--no-encryption),
// interleaved round by round in one run so both see the same machine load:
//
//   import   trimllm import-data grimm_fairy_tales          (read, split, write ~1,900 records)
//   trim     trimllm trim … --max-epochs 1                   (base eval, one training epoch, scan, checkpoint, report)
//   chat     trimllm chat --checkpoint 1 --save --message …  (load the checkpoint from the database, one turn, store)
//
// Each step is a fresh process (as a user runs it), so the times include start-up (tsx, tfjs), the same in
// both modes. Prints the median wall and CPU seconds per step and mode, and the encrypted/plain ratios.
// Then the store alone, in this process (no start-up): open (the key derivation: PBKDF2, 256,000 iterations),
// write 20,000 records (~8 MB) in one transaction, read them all back, close; same interleaving.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const repo = fileURLToPath(new URL('..', import.meta.url));
const shared = join(repo, '..', 'shared');
const model = join(shared, 'models/stories260K/stories260K.bin');
const data = join(shared, 'datasets/grimm_fairy_tales');
const roundsFlag = process.argv.indexOf('--rounds');
const storeOnly = process.argv.includes('--store-only');
const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 3;

const STEPS = {
  import: (dir) => ['import-data', data, '--task', 'text', '--data-dir', dir],
  trim: (dir) => ['trim', '--model', model, '--data', data, '--task', 'text', '--data-dir', dir, '--report-dir', join(dir, 'report'),
    '--max-epochs', '1', '--target', '0.9', '--heal-epochs', '0', '--baselines', 'none', '--max-train', '64', '--max-eval', '8',
    '--calibration', '4', '--window', '64'],
  chat: (dir) => ['chat', '--checkpoint', '1', '--message', 'Once upon a time', '--max-tokens', '32', '--temperature', '0', '--save', '--data-dir', dir],
};

/** Runs one CLI step; returns wall and CPU (user + sys of the child, from /usr/bin/time's format) seconds. */
function step(args, encrypted) {
  const env = { ...process.env, TRIMLLM_DB_KEY: encrypted ? 'encryption cost measurement key' : '' };
  const flags = encrypted ? [] : ['--no-encryption'];
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@cpu %U %S', process.execPath, join(repo, 'bin/trimllm.mjs'), ...flags, ...args], { env, encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${args[0]} (${encrypted ? 'encrypted' : 'plain'}) failed:\n${r.stderr}`);
  const m = /@cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { plain: {}, encrypted: {} };
const load0 = loadavg()[0];
for (let round = 0; round < (storeOnly ? 0 : rounds); round++) {
  // Alternate which mode goes first, so a load change between the two halves of a round does not favour one.
  for (const encrypted of round % 2 === 0 ? [true, false] : [false, true]) {
    const mode = encrypted ? 'encrypted' : 'plain';
    const dir = mkdtempSync(join(tmpdir(), `trimllm-cost-${mode}-`));
    for (const [name, args] of Object.entries(STEPS)) {
      const t = step(args(dir), encrypted);
      (results[mode][name] ??= []).push(t);
      process.stderr.write(`round ${round + 1} ${mode} ${name}: ${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU\n`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`encryption cost, ${rounds} rounds interleaved, load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
console.log('step     plain wall s  encrypted wall s  wall ×   plain CPU s  encrypted CPU s  CPU ×');
for (const name of storeOnly ? [] : Object.keys(STEPS)) {
  const p = results.plain[name], e = results.encrypted[name];
  const pw = median(p.map((t) => t.wall)), ew = median(e.map((t) => t.wall));
  const pc = median(p.map((t) => t.cpu)), ec = median(e.map((t) => t.cpu));
  console.log(`${name.padEnd(7)} ${pw.toFixed(2).padStart(13)} ${ew.toFixed(2).padStart(17)} ${(ew / pw).toFixed(3).padStart(6)} ${pc.toFixed(2).padStart(13)} ${ec.toFixed(2).padStart(16)} ${(ec / pc).toFixed(3).padStart(6)}`);
}

register();
const store = await import('../electron/store/index.ts');
const STORE_STEPS = ['open', 'write', 'read'];
const storeResults = { plain: {}, encrypted: {} };
const records = Array.from({ length: 20_000 }, (_, i) => ({ split: 'train', payload: { text: `record ${i} `.padEnd(400, 'lorem ipsum ') } }));
/** Runs `work` and returns its wall and CPU (user + system of this process) seconds. */
function timed(work) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  work();
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}
for (let round = 0; round < rounds; round++) {
  for (const encrypted of round % 2 === 0 ? [true, false] : [false, true]) {
    const mode = encrypted ? 'encrypted' : 'plain';
    const dir = mkdtempSync(join(tmpdir(), `trimllm-cost-store-${mode}-`));
    let db;
    const t = {
      open: timed(() => (db = store.openWorkspaceDatabase(dir, encrypted ? { key: 'encryption cost measurement key' } : { noEncryption: true }))),
      write: timed(() => store.importDataset(db, { name: 'n', source: '/n', format: 'jsonl', taskType: 'text', mapping: {} }, records)),
      read: timed(() => store.listRecords(db, store.listDatasets(db)[0].id, 'train')),
    };
    store.closeDatabase(db);
    for (const name of STORE_STEPS) (storeResults[mode][name] ??= []).push(t[name]);
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log('store alone (this process): 20,000 records of ~400 bytes');
for (const name of STORE_STEPS) {
  const p = storeResults.plain[name], e = storeResults.encrypted[name];
  const pw = median(p.map((t) => t.wall)), ew = median(e.map((t) => t.wall));
  const pc = median(p.map((t) => t.cpu)), ec = median(e.map((t) => t.cpu));
  console.log(`${name.padEnd(7)} ${pw.toFixed(3).padStart(13)} ${ew.toFixed(3).padStart(17)} ${(ew / pw).toFixed(3).padStart(6)} ${pc.toFixed(3).padStart(13)} ${ec.toFixed(3).padStart(16)} ${(ec / pc).toFixed(3).padStart(6)}`);
}
