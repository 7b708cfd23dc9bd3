/**
 * The main window: its BrowserWindow options (every webPreference that matters for security set explicitly),
 * and the hardening of its session and web contents: CSP header on every response, renderer requests limited to
 * the app's own scheme, navigation to anything but the app's pages prevented, window.open denied, webviews
 * refused, every permission refused.
 *
 * Takes Electron objects as parameters and imports only Electron's types, so it loads under plain Node (tests).
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import {
  isNavigationAllowed,
  isPermissionGranted,
  isRequestAllowed,
  windowOpenDecision,
  withContentSecurityPolicy,
} from './security.ts';

export { CONTENT_SECURITY_POLICY } from './security.ts';

/** The constructor of Electron's BrowserWindow (injected, so that tests pass a fake that records its options). */
export type BrowserWindowClass<W> = new (options: BrowserWindowConstructorOptions) => W;

/**
 * Creates the main window (hidden until 'ready-to-show'). Every webPreference that matters for security is set
 * explicitly, as a literal at the `new BrowserWindow(...)` call so that static auditors (electronegativity,
 * test/unit/electron-audit.test.ts) read the values the app really uses: context isolation, the renderer
 * sandbox, no Node integration anywhere, no webview tag, web security on, no insecure content, the Blink
 * `Auxclick` feature off (a middle click cannot open a link), no drag-and-drop navigation.
 *
 * @param BrowserWindow Electron's BrowserWindow class (or a test double)
 * @param preload absolute path of dist/electron/preload.cjs
 */
export function createMainWindow<W>(BrowserWindow: BrowserWindowClass<W>, preload: string): W {
  return new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'TrimLLM Studio',
    show: false, // shown on 'ready-to-show', so no blank frame flashes
    backgroundColor: '#0b0f17',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
}

/**
 * Applies the session-wide rules: CSP on every response, no request outside the app's scheme (no network from the
 * renderer), every permission request and check refused.
 */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isRequestAllowed(details.url) });
  });
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(isPermissionGranted(permission));
  });
  session.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission));
}

/**
 * Applies the per-contents rules to any web contents the app creates (wired on 'web-contents-created'): top-level
 * and sub-frame navigations and redirects outside the app are prevented, webviews and new windows refused.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isNavigationAllowed(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => windowOpenDecision(url));
}
