import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, sharedPath, TEST_KEY_ENV } from '../helpers/shared.ts';
import type { TrimReport } from '../../engine/report/types.ts';

test('npm run demo (offline: TRIMLLM_DEMO_MODEL_DIR) trims to 50% and prints where the report is', () => {
  const work = mkdtempSync(join(tmpdir(), 'trimllm-demo-'));
  const reportDir = join(work, 'report');
  const r = spawnSync('npm', ['run', 'demo', '--', '--report-dir', reportDir, '--data-dir', join(work, 'data')], {
    cwd: repoPath(''),
    encoding: 'utf8',
    timeout: 15 * 60_000,
    env: { ...process.env, ...TEST_KEY_ENV, TRIMLLM_DEMO_MODEL_DIR: sharedPath('models/stories260K'), HF_ENDPOINT: 'http://127.0.0.1:9' },
  });
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  assert.match(r.stdout, new RegExp(`Report: ${join(reportDir, 'report.md').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as TrimReport;
  const kinds = new Set(report.entries.map((e) => e.kind));
  assert.ok(kinds.has('base') && kinds.has('full-finetune') && kinds.has('trimllm'));
  const last = report.entries.filter((e) => e.kind === 'trimllm').at(-1)!;
  assert.equal(last.keptFraction, 0.5);
  assert.equal(last.metric, 'acc');
  assert.ok(last.accNorm !== undefined);
  assert.match(r.stdout, /Answer:/);
  // Issue 12: the base model and the chosen (last) checkpoint as GGUF F32/Q8_0/Q4_0, scored through llama.cpp.
  const q = report.quantized ?? [];
  assert.deepEqual(q.map((row) => `${row.kind} ${row.dtype}`), ['base F32', 'base Q8_0', 'base Q4_0', 'trimllm F32', 'trimllm Q8_0', 'trimllm Q4_0']);
  const f32 = q.find((row) => row.kind === 'trimllm' && row.dtype === 'F32')!;
  assert.equal(f32.performance, last.performance, 'llama.cpp F32 scores the test split as the engine does');
  for (const row of q) assert.ok(row.fileBytes > 0 && row.decodeTokensPerSecond > 0 && row.performance >= 0 && row.performance <= 1);
  assert.ok(q[2]!.fileBytes < q[1]!.fileBytes && q[1]!.fileBytes < q[0]!.fileBytes, 'Q4_0 < Q8_0 < F32 bytes');
  assert.match(readFileSync(join(reportDir, 'report.md'), 'utf8'), /## TrimLLM \+ quantization \(GGUF in llama\.cpp\)/);
});
