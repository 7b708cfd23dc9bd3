/**
 * The event side of the API: every contract event (EVENTS in api/contract.ts) passes through one EventHub,
 * which validates the payload against its schema and hands it to the subscribers (the WebSocket clients of the
 * server; Electron's main process would forward to the renderer the same way).
 */
import { EVENTS, type EventName, type EventPayload } from '../api/contract.ts';

/** A subscriber: receives each event with its validated payload. */
export type EventListener = (event: EventName, payload: unknown) => void;

/** Fan-out of validated contract events. */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  /** @param onInvalid told about a payload that does not match its schema (it is not delivered) */
  constructor(private readonly onInvalid: (event: string, message: string) => void = () => {}) {}

  /** Emits a typed event. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.publish(event, payload);
  }

  /**
   * Emits an event whose payload comes from elsewhere (a worker process): validated before delivery; an unknown
   * event name or an invalid payload goes to onInvalid instead.
   */
  publish(event: string, payload: unknown): void {
    if (!Object.hasOwn(EVENTS, event)) {
      this.onInvalid(event, 'unknown event');
      return;
    }
    const parsed = EVENTS[event as EventName].safeParse(payload);
    if (!parsed.success) {
      this.onInvalid(event, parsed.error.message);
      return;
    }
    for (const l of [...this.listeners]) {
      try {
        l(event as EventName, parsed.data);
      } catch {
        // One failing subscriber (a closed socket) must not stop the others.
      }
    }
  }

  /** Adds a subscriber. @returns a function that removes it */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of subscribers (tests, diagnostics). */
  get size(): number {
    return this.listeners.size;
  }
}
