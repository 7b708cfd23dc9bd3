/** The Hugging Face Hub download (DESIGN.md §5): the app's only network access, started by the user. */
export {
  DEFAULT_HUB_ENDPOINT,
  MAX_REDIRECTS,
  downloadHubFile,
  hubFileUrl,
  resolveHubEndpoint,
  type HubDownloadOptions,
  type HubDownloadResult,
} from './download.ts';
export { HubDownloadError, type HubErrorKind } from './errors.ts';
export type { DownloadProgress } from './progress.ts';
export { sha256File } from './hash.ts';
export {
  DEMO_MODEL_FILE,
  DEMO_REPO,
  DEMO_TOKENIZER_FILE,
  ensureDemoModel,
  type DemoModelPaths,
  type EnsureDemoModelOptions,
} from './demo-model.ts';
