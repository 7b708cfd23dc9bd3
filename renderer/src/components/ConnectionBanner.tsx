/** Tells the user when live updates (progress, chat streaming) are interrupted and being re-established. */
import { useConnection } from '../api/context.tsx';

/** Shown only while the event stream is down. */
export function ConnectionBanner() {
  const state = useConnection();
  if (state !== 'reconnecting') return null;
  return (
    <div role="status" data-testid="connection-status" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      Live updates are disconnected; reconnecting… Progress and streamed chat answers resume once the connection is back (pages refetch what they missed).
    </div>
  );
}
