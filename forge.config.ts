/**
 * Electron Forge configuration (`npx electron-forge start | package | make`) of the desktop app.
 *
 * - Before start/package, `generateAssets` builds what the app loads: renderer/dist (Vite) and dist/electron
 *   (main.mjs, worker.mjs, preload.cjs; scripts/build-electron.mjs). package.json's "main" must point at
 *   dist/electron/main.mjs.
 * - Only the built app goes into the package: package.json, dist/electron (without source maps), renderer/dist,
 *   resources/ and the production node_modules; sources, tests and scripts stay out.
 * - asar, with the native modules unpacked (a .node file cannot be loaded from inside an archive): better-sqlite3-multiple-ciphers
 *   and the optional @tensorflow/tfjs-node(-gpu); tfjs-backend-wasm too, whose .wasm files are read by path.
 * - The rebuild step compiles those native modules for Electron's ABI inside the packaged copy (the repository's
 *   node_modules keep the Node build that the CLI, the server and the tests use).
 * - Makers: zip (all), deb and rpm (Linux), Squirrel (Windows), dmg (macOS).
 *
 * Makers and plugins are named by package, so this file type-checks without Forge installed; to use it, add the
 * dev dependencies listed in the README ("Desktop installers").
 */
import { spawnSync } from 'node:child_process';

/** Native (or path-loaded) modules unpacked from app.asar. */
const UNPACKED = ['better-sqlite3-multiple-ciphers', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm'];

/** Top-level paths copied into the package (everything else is left out). */
const KEEP = [/^\/package\.json$/, /^\/dist(\/electron(\/.*)?)?$/, /^\/renderer(\/dist(\/.*)?)?$/, /^\/resources(\/.*)?$/, /^\/node_modules(\/.*)?$/];

/** Forge's `ignore` test: true for a path (relative to the project, with a leading '/') left out of the package. */
function ignore(path: string): boolean {
  if (path === '') return false;
  if (path.endsWith('.map')) return true;
  return !KEEP.some((re) => re.test(path));
}

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${r.status})`);
}

const config = {
  packagerConfig: {
    name: 'TrimLLM Studio',
    executableName: 'trimllm-studio',
    appBundleId: 'org.trimllm.studio',
    appCategoryType: 'public.app-category.developer-tools',
    asar: { unpack: `**/node_modules/{${UNPACKED.join(',')}}/**/*` },
    ignore,
    prune: true,
  },
  rebuildConfig: { onlyModules: ['better-sqlite3-multiple-ciphers', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'], force: true },
  hooks: {
    generateAssets: async (): Promise<void> => {
      run(['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts']);
      run(['scripts/build-electron.mjs']);
    },
  },
  makers: [
    { name: '@electron-forge/maker-zip', platforms: ['darwin', 'linux', 'win32'], config: {} },
    { name: '@electron-forge/maker-deb', config: { options: { name: 'trimllm-studio', productName: 'TrimLLM Studio', categories: ['Development'] } } },
    { name: '@electron-forge/maker-rpm', config: { options: { name: 'trimllm-studio', productName: 'TrimLLM Studio' } } },
    { name: '@electron-forge/maker-squirrel', config: { name: 'trimllm_studio' } },
    { name: '@electron-forge/maker-dmg', config: { name: 'TrimLLM Studio' } },
  ],
  plugins: [{ name: '@electron-forge/plugin-auto-unpack-natives', config: {} }],
};

export default config;
