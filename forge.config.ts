/**
 * Electron Forge configuration (start / package / make). The desktop shell (electron/main) is built in the
 * desktop-app issue; this file already declares the packaging rules the engine needs: native modules
 * (better-sqlite3, the optional @tensorflow/tfjs-node-gpu) are unpacked from the asar archive so they can be
 * loaded, and rebuilt for Electron's ABI by Forge's rebuild step.
 */
const config = {
  packagerConfig: {
    name: 'TrimLLM Studio',
    executableName: 'trimllm-studio',
    asar: { unpack: '**/{better-sqlite3,@tensorflow/tfjs-node-gpu,@tensorflow/tfjs-node}/**/*' },
    ignore: [/^\/test/, /^\/\.ci/, /^\/test-results/],
  },
  rebuildConfig: { onlyModules: ['better-sqlite3'] },
  makers: [
    { name: '@electron-forge/maker-zip', platforms: ['darwin', 'linux', 'win32'], config: {} },
    { name: '@electron-forge/maker-deb', config: {} },
    { name: '@electron-forge/maker-squirrel', config: {} },
  ],
};

export default config;
