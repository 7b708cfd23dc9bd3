/** React access to the client: `useApi()`, `useEvent()`, `useConnection()`. */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { EventName, EventPayload } from '../../../electron/api/contract.ts';
import type { ConnectionState, StudioClient } from './types.ts';

const ApiContext = createContext<StudioClient | null>(null);

/** Provides `client` to the tree. */
export function ApiProvider({ client, children }: { client: StudioClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

/** The API client. */
export function useApi(): StudioClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside <ApiProvider>');
  return client;
}

/** Calls `listener` for every `event` while the component is mounted (the latest listener is always used). */
export function useEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const api = useApi();
  const ref = useRef(listener);
  useEffect(() => {
    ref.current = listener;
  });
  useEffect(() => api.on(event, (p) => ref.current(p)), [api, event]);
}

/** The live-update channel's state. */
export function useConnection(): ConnectionState {
  const api = useApi();
  const [state, setState] = useState<ConnectionState>(() => api.connection());
  useEffect(() => api.onConnection(setState), [api]);
  return state;
}

/** Calls `onReopen` each time the live-update channel comes back after a drop (to refetch missed state). */
export function useOnReconnect(onReopen: () => void): void {
  const api = useApi();
  const ref = useRef(onReopen);
  useEffect(() => {
    ref.current = onReopen;
  });
  useEffect(() => {
    let wasDown = false;
    return api.onConnection((s) => {
      if (s === 'reconnecting') wasDown = true;
      else if (s === 'open' && wasDown) {
        wasDown = false;
        ref.current();
      }
    });
  }, [api]);
}
