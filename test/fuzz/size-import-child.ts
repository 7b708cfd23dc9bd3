// Child process of size-limits.test.ts: reads one dataset file with the default limits (or a safetensors header)
// and prints one JSON line {ok, error, maxRssMB, seconds}, so the parent can check the message and peak memory.
import { readDatasetPath } from '../../engine/data/read-path.ts';
import { readSafetensors } from '../../engine/io/safetensors.ts';

const [kind, path] = process.argv.slice(2);
const started = performance.now();
let error: string | null = null;
try {
  if (kind === 'safetensors') readSafetensors(path!);
  else await readDatasetPath(path!);
} catch (e) {
  error = `${(e as Error).name}: ${(e as Error).message}`;
}
const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify({ ok: error === null, error, maxRssMB, seconds: (performance.now() - started) / 1000 }));
