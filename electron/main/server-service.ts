/**
 * Builds the real ApiService of the desktop app from server mode's service layer (electron/server/service.ts):
 * the workspace database in the data directory (opening it marks runs a crashed process left 'running' as
 * 'interrupted', so the UI offers to resume them), the job runner (workers in utility processes when a host is
 * given), and the event hub whose validated events the main process forwards to the window.
 *
 * The service layer is loaded with dynamic imports, so this module (and index.ts) stays light until the app is
 * ready; scripts/build-electron.mjs bundles it into main.mjs.
 */
import type { WorkerHost } from '../jobs/host.ts';
import type { EventName } from '../api/contract.ts';
import type { ApiService, ServiceOptions } from './service.ts';

/** Options of the real service. */
export interface RealServiceOptions extends ServiceOptions {
  /** Starts worker processes (the utility-process host in the app; default: the runner's child_process host). */
  workerHost?: WorkerHost;
  /** How long closing waits for a cancelled trim to reach its checkpoint before killing it (ms). */
  stopGraceMs?: number;
  /** Told about an event payload that does not match the contract (it is dropped). */
  onInvalidEvent?: (event: string, message: string) => void;
}

/** The real service: server mode's service layer over the workspace in `options.dataDir`. */
export async function createApiService(options: RealServiceOptions): Promise<ApiService> {
  const [{ openWorkspace }, { closeDatabase, workerKeyEnv }, { EventHub }, { JobRunner }, { createApiService: createServerService }, { workerEnv }] =
    await Promise.all([
      import('../app/workspace.ts'),
      import('../store/index.ts'),
      import('../server/events.ts'),
      import('../jobs/runner.ts'),
      import('../server/service.ts'),
      import('../server/service-settings.ts'),
    ]);
  const { dataDir } = options;
  const db = openWorkspace(dataDir); // marks interrupted runs
  const events = new EventHub(options.onInvalidEvent ?? ((event, message) => console.error(`trimllm: dropped invalid ${event} event: ${message}`)));
  const runner = new JobRunner({
    dataDir,
    db,
    onEvent: (event, payload) => events.publish(event, payload),
    host: options.workerHost,
    workerEnv: () => ({ ...workerEnv(db), ...workerKeyEnv() }),
    stopGraceMs: options.stopGraceMs,
  });
  const service = createServerService({ db, dataDir, runner, events });
  let closed: Promise<void> | null = null;
  return {
    call: (method, request) => service.call(method, request),
    on(event, listener) {
      return events.subscribe((name: EventName, payload: unknown) => {
        if (name === event) listener(payload as never);
      });
    },
    close() {
      closed ??= service.close().then(() => runner.close()).finally(() => closeDatabase(db));
      return closed;
    },
  };
}
