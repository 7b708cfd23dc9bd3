#!/usr/bin/env node
// Mean over seeds and variants side by side (engine/report/seeds.ts).
// Usage: node scripts/compare-trim-runs.mjs --title T --out FILE VARIANT=DIR1,DIR2,... [VARIANT=...]
// Each DIR is a run's report directory (its report.json).
import { register } from 'tsx/esm/api';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

register();
const { renderSeedComparison } = await import('../engine/report/seeds.ts');
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const title = flag('--title') ?? 'TrimLLM variants over seeds';
const out = flag('--out');
const groups = args.map((a) => {
  const [variant, dirs] = a.split('=');
  if (!dirs) throw new Error(`"${a}": expected VARIANT=DIR1,DIR2`);
  return { variant, reports: dirs.split(',').map((d) => JSON.parse(readFileSync(join(d, 'report.json'), 'utf8'))) };
});
const md = renderSeedComparison(groups, title);
if (out) writeFileSync(out, md);
else process.stdout.write(md);
