/** Loads one API method's response into state, with loading, error and reload. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Method, Request, Response } from '../../../electron/api/contract.ts';
import { useApi } from '../api/context.tsx';
import { describeError } from '../api/errors.ts';

/** Result of useCall. */
export interface CallState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  /** Fetches again; keeps the previous data visible meanwhile. */
  reload: () => void;
}

/**
 * Calls `method` with `request` on mount and whenever `key` changes; `request === null` skips the call.
 * Only the latest call's answer is kept.
 */
export function useCall<M extends Method>(method: M, request: Request<M> | null, key: unknown = JSON.stringify(request)): CallState<Response<M>> {
  const api = useApi();
  const [data, setData] = useState<Response<M> | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(request !== null);
  const seq = useRef(0);
  const requestRef = useRef(request);
  useEffect(() => {
    requestRef.current = request;
  });

  const load = useCallback(() => {
    const req = requestRef.current;
    if (req === null) {
      setLoading(false);
      return;
    }
    const n = ++seq.current;
    setLoading(true);
    api.call(method, req).then(
      (res) => {
        if (n !== seq.current) return;
        setData(res);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (n !== seq.current) return;
        setError(describeError(e));
        setLoading(false);
      },
    );
  }, [api, method]);

  useEffect(() => {
    load();
  }, [load, key]);

  return { data, error, loading, reload: load };
}

/** Runs an action (a mutation) with busy/error state. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(describeError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
