/**
 * The preload script (sandboxed: it may `require` only 'electron'; scripts/build-electron.mjs bundles this file
 * with bridge.ts and channels.ts into dist/electron/preload.cjs). It exposes one object, `window.trimllm`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.ts';
import { API_KEY } from './channels.ts';

contextBridge.exposeInMainWorld(API_KEY, createBridge(ipcRenderer));
