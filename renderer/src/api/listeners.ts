/** A tiny typed listener registry shared by both transports. */
import type { EventName, EventPayload } from '../../../electron/api/contract.ts';

type AnyListener = (payload: unknown) => void;

/** Listeners per event name; `emit` isolates listeners from one another's exceptions. */
export class EventListeners {
  private readonly byEvent = new Map<EventName, Set<AnyListener>>();

  add<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    const l = listener as AnyListener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  emit(event: EventName, payload: unknown): void {
    for (const l of [...(this.byEvent.get(event) ?? [])]) {
      try {
        l(payload);
      } catch (e) {
        console.error(`[trimllm] listener of ${event} failed`, e);
      }
    }
  }
}

/** Plain set of state listeners. */
export class StateListeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(value: T): void {
    for (const l of [...this.set]) l(value);
  }
}
