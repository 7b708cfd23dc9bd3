/**
 * App settings of the API (settings.get / settings.set), stored in the settings table:
 *
 *   engine.backend   'auto' | 'tensorflow' | 'wasm' | 'cpu'   (default auto: the fastest that loads)
 *   engine.threads   integer ≥ 1                              (default: the physical cores; engine/parallel/threads.ts)
 *   hub.endpoint     URL of the Hugging Face Hub              (default HF_ENDPOINT, else https://huggingface.co)
 *
 * settings.get also says whether the workspace database is encrypted (read-only: chosen when it was opened).
 *
 * Workers read the engine settings from their environment when they start (workerEnv), so a change applies to
 * the next job; the runner restarts its workers once idle.
 */
import { physicalCores, THREADS_ENV } from '../../engine/parallel/threads.ts';
import { z } from 'zod';
import { getSetting, isEncrypted, setSetting, type Database } from '../store/index.ts';
import { resolveHubEndpoint } from '../hub/index.ts';
import type { Handlers, ServiceContext } from './service-types.ts';

const BACKEND = z.enum(['auto', 'tensorflow', 'wasm', 'cpu']);
const THREADS = z.number().int().min(1).max(256);

/** The engine settings in effect. */
export function engineSettings(db: Database): { backend: z.output<typeof BACKEND>; threads: number } {
  return {
    backend: getSetting(db, 'engine.backend', BACKEND) ?? 'auto',
    threads: getSetting(db, 'engine.threads', THREADS) ?? physicalCores(),
  };
}

/**
 * Environment of a new worker from the settings: TRIMLLM_BACKEND when a backend is chosen (else the server's
 * own environment decides), and the thread count (TRIMLLM_THREADS for the engine's worker threads, the TF_NUM_*
 * variables for native TensorFlow) when one was set.
 */
export function workerEnv(db: Database): Record<string, string> {
  const env: Record<string, string> = {};
  const backend = getSetting(db, 'engine.backend', BACKEND);
  if (backend && backend !== 'auto') env.TRIMLLM_BACKEND = backend;
  const threads = getSetting(db, 'engine.threads', THREADS);
  if (threads !== undefined) {
    env[THREADS_ENV] = String(threads);
    env.TF_NUM_INTRAOP_THREADS = String(threads);
    env.TF_NUM_INTEROP_THREADS = String(Math.max(1, Math.min(2, threads)));
  }
  return env;
}

/** settings.get and settings.set. */
export function settingsHandlers(ctx: ServiceContext): Handlers<'settings.get' | 'settings.set'> {
  return {
    'settings.get': () => ({
      ...engineSettings(ctx.db),
      dataDir: ctx.dataDir,
      hubEndpoint: resolveHubEndpoint(getSetting(ctx.db, 'hub.endpoint', z.string())),
      encrypted: isEncrypted(ctx.db),
    }),
    'settings.set': (req) => {
      const before = JSON.stringify(engineSettings(ctx.db));
      if (req.backend !== undefined) setSetting(ctx.db, 'engine.backend', req.backend);
      if (req.threads !== undefined) setSetting(ctx.db, 'engine.threads', req.threads);
      if (req.hubEndpoint !== undefined) setSetting(ctx.db, 'hub.endpoint', req.hubEndpoint.replace(/\/+$/, ''));
      if (JSON.stringify(engineSettings(ctx.db)) !== before) ctx.runner.restartWorkers();
      return { ok: true };
    },
  };
}
