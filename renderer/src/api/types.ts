/** The client the pages use: the contract's TrimllmApi plus the state of the live-update channel. */
import type { TrimllmApi } from '../../../electron/api/contract.ts';
import type { ConnectionState } from './events-socket.ts';

export type { ConnectionState };

/** TrimllmApi with the transport's name and the live-update connection state. */
export interface StudioClient extends TrimllmApi {
  /** `ipc` inside Electron (window.trimllm), `http` against `trimllm serve`. */
  readonly transport: 'ipc' | 'http';
  /** State of the live-update channel (always `open` over IPC). */
  connection(): ConnectionState;
  /** Subscribes to connection-state changes. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}
