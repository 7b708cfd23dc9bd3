/**
 * The demo's tiny model, Karpathy's stories260K (llama2.c format) and its 512-token tokenizer, from the Hub repo
 * `karpathy/tinyllamas`, pinned by sha256. `TRIMLLM_DEMO_MODEL_DIR` points at a local copy instead, with no network
 * access at all (the way to run the demo offline).
 */
import { join, resolve } from 'node:path';
import { downloadHubFile, HubDownloadError, type DownloadProgress } from './download.ts';
import { sha256File } from './hash.ts';

/** The Hub repo of the demo model. */
export const DEMO_REPO = 'karpathy/tinyllamas';
/** The demo model: its path in the repo and its sha256. */
export const DEMO_MODEL_FILE = {
  file: 'stories260K/stories260K.bin',
  sha256: 'b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696',
} as const;
/** The demo tokenizer: its path in the repo and its sha256. */
export const DEMO_TOKENIZER_FILE = {
  file: 'stories260K/tok512.bin',
  sha256: '037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312',
} as const;

/** Options of {@link ensureDemoModel}. */
export interface EnsureDemoModelOptions {
  /** Progress of each download (its `file` says which). */
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborts a download in progress (its `.part` file is kept for a resume). */
  signal?: AbortSignal;
  /** Hub base URL; default `HF_ENDPOINT`, else https://huggingface.co. */
  endpoint?: string;
}

/** Where the demo model's files are. */
export interface DemoModelPaths {
  /** Absolute path of stories260K.bin. */
  modelPath: string;
  /** Absolute path of tok512.bin. */
  tokenizerPath: string;
}

/** The file name of a repo path (`a/b.bin` → `b.bin`). */
function baseName(repoPath: string): string {
  return repoPath.slice(repoPath.lastIndexOf('/') + 1);
}

/**
 * Makes the demo model available and returns its paths. When `TRIMLLM_DEMO_MODEL_DIR` is set (relative to the
 * working directory), both files must be there with the pinned sha256 and nothing is downloaded. Otherwise each file
 * already in `dir` with the right hash is kept and any other is downloaded (resuming a `.part`) and verified.
 *
 * @throws Error when `TRIMLLM_DEMO_MODEL_DIR` lacks a file or holds one with another hash; HubDownloadError (see
 *   downloadHubFile) when a download fails; the abort reason when `signal` fires.
 */
export async function ensureDemoModel(dir: string, options: EnsureDemoModelOptions = {}): Promise<DemoModelPaths> {
  const local = process.env.TRIMLLM_DEMO_MODEL_DIR;
  const specs = [DEMO_MODEL_FILE, DEMO_TOKENIZER_FILE];
  const paths: string[] = [];
  for (const spec of specs) {
    const name = baseName(spec.file);
    if (local) {
      const path = resolve(local, name);
      const actual = await sha256File(path, options.signal);
      if (actual === null) {
        throw new Error(`TRIMLLM_DEMO_MODEL_DIR=${local} does not hold ${name} (looked for ${path}).`);
      }
      if (actual !== spec.sha256) {
        throw new Error(`${path} (from TRIMLLM_DEMO_MODEL_DIR) has sha256 ${actual}, expected ${spec.sha256}.`);
      }
      paths.push(path);
      continue;
    }
    const dest = resolve(join(dir, name));
    if ((await sha256File(dest, options.signal)) !== spec.sha256) {
      try {
        await downloadHubFile({
          repo: DEMO_REPO,
          file: spec.file,
          dest,
          sha256: spec.sha256,
          endpoint: options.endpoint,
          onProgress: options.onProgress,
          signal: options.signal,
        });
      } catch (e) {
        if (!(e instanceof HubDownloadError) || e.kind !== 'network') throw e;
        throw new HubDownloadError('network', `${e.message} For the demo without a network, set TRIMLLM_DEMO_MODEL_DIR to a folder holding stories260K.bin and tok512.bin.`, { url: e.url, cause: e.cause });
      }
    }
    paths.push(dest);
  }
  return { modelPath: paths[0], tokenizerPath: paths[1] };
}
