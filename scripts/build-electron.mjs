// Bundles the desktop app's Electron code into dist/electron/ (usage: node scripts/build-electron.mjs).
//
// - main.mjs     electron/main/index.ts with the service layer it imports (electron/server, electron/jobs,
//                electron/store, engine): ESM for Electron's Node. Our TypeScript is bundled; every npm package
//                stays external (electron, the native better-sqlite3-multiple-ciphers and @tensorflow/*, and the pure-JS ones too):
//                they ship in the app's node_modules, and leaving them to Node's resolver avoids CommonJS-in-ESM
//                require shims and keeps files that packages locate at run time (tfjs wasm binaries) in place.
// - worker.mjs   electron/jobs/worker.ts, the job worker the main process starts in utility processes.
// - engine-worker.mjs  engine/parallel/worker.ts, the engine's worker threads (engine/parallel/pool.ts finds it
//                beside the bundle that starts them).
// - preload.cjs  electron/preload/index.ts: CommonJS and self-contained with only 'electron' external, because a
//                sandboxed preload can require nothing else (it bundles to the allow-lists and the bridge, no zod).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const outdir = join('dist', 'electron');
const target = 'node22';

rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: { main: 'electron/main/index.ts', worker: 'electron/jobs/worker.ts', 'engine-worker': 'engine/parallel/worker.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target,
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'info',
});

await build({
  entryPoints: { preload: 'electron/preload/index.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target,
  external: ['electron'],
  logLevel: 'info',
});
