/**
 * The Electron main process (DESIGN.md §3, §5): single instance, the app:// protocol and session hardening, the
 * service (same one as server mode) in the data directory, one window, the typed IPC channel, and a clean quit
 * (running jobs stop at their checkpoint before the app exits).
 *
 * Bundled by scripts/build-electron.mjs into dist/electron/main.mjs; it runs only inside Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, utilityProcess } from 'electron';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { PRIVATE_DIR_MODE, usePrivateUmask } from '../store/private-files.ts';
import { registerIpc } from './ipc.ts';
import { appPaths, dataDirOverride } from './paths.ts';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './protocol.ts';
import { APP_ENTRY_URL } from './security.ts';
import { createApiService } from './server-service.ts';
import { utilityWorkerHost } from './utility-host.ts';
import type { ApiService, ServiceFactory } from './service.ts';
import { createMainWindow, hardenSession, hardenWebContents } from './window.ts';

/** How long a cancelled trim may take to reach its checkpoint on quit before its worker is killed. */
const STOP_GRACE_MS = 10_000;
/** How long a quit waits for the service to close before exiting anyway (its runs are resumable next start). */
const QUIT_TIMEOUT_MS = 15_000;

const paths = appPaths(dirname(fileURLToPath(import.meta.url)));

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    work.catch((e: unknown) => console.error('trimllm: shutdown:', e)).finally(() => {
      clearTimeout(timer);
      done();
    });
  });
}

/** The real service, its jobs in utility processes (utilityProcess.fork needs the app to be ready). */
const realService: ServiceFactory = (options) =>
  createApiService({
    ...options,
    workerHost: utilityWorkerHost((...args) => utilityProcess.fork(...args), paths.worker),
    stopGraceMs: STOP_GRACE_MS,
  });

/** Runs the app with the service that `createService` builds (injected; the real one by default). */
export function runApp(createService: ServiceFactory = realService): void {
  let window: BrowserWindow | null = null;
  let service: ApiService | null = null;
  let stopIpc = (): void => {};
  let shutdown: 'running' | 'stopping' | 'done' = 'running';

  const openWindow = (): void => {
    const created = createMainWindow(BrowserWindow, paths.preload);
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
    void created.loadURL(APP_ENTRY_URL);
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (service && shutdown === 'running' && BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('before-quit', (event) => {
    if (shutdown === 'done' || !service) return;
    event.preventDefault();
    if (shutdown === 'stopping') return;
    shutdown = 'stopping';
    stopIpc();
    void withTimeout(service.close(), QUIT_TIMEOUT_MS).then(() => {
      shutdown = 'done';
      app.quit();
    });
  });

  app.whenReady()
    .then(async () => {
      hardenSession(session.defaultSession);
      registerAppProtocol(protocol, paths.rendererRoot);
      const dataDir = app.getPath('userData');
      mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
      const [{ appWorkspaceAccess }, { setWorkspaceAccess }] = await Promise.all([import('./db-key.ts'), import('../store/workspace-key.ts')]);
      setWorkspaceAccess(appWorkspaceAccess(safeStorage, dataDir, process.env));
      service = await createService({ dataDir });
      const inner = service;
      // files.choose is the native open dialog here (server mode has a folder browser instead).
      const withDialog: Pick<ApiService, 'call' | 'on'> = {
        on: inner.on.bind(inner),
        call: async (method, request) => {
          if (method !== 'files.choose') return inner.call(method, request);
          const kind = (request as { kind: 'file' | 'folder' }).kind;
          const options = { properties: [kind === 'folder' ? 'openDirectory' as const : 'openFile' as const] };
          const picked = window && !window.isDestroyed() ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
          return { path: picked.canceled ? null : picked.filePaths[0] ?? null } as never;
        },
      };
      stopIpc = registerIpc(ipcMain, withDialog, () => (window && !window.isDestroyed() ? window.webContents : null));
      openWindow();
    })
    .catch((e: unknown) => {
      dialog.showErrorBox('TrimLLM Studio could not start', e instanceof Error ? e.message : String(e));
      app.exit(1);
    });
}

usePrivateUmask(); // the database, reports, backups and temporary files are the user's alone
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
const dataDir = dataDirOverride(process.env);
if (dataDir) app.setPath('userData', dataDir);

if (app.requestSingleInstanceLock()) runApp();
else app.quit();
