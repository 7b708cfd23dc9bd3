/**
 * The server-mode event stream: a WebSocket to `/api/events` carrying `{event, payload}` JSON, which
 * reconnects on its own (exponential back-off with jitter, 0.5 s up to 15 s) and reports its state, so the UI
 * can show "reconnecting" and refetch what it may have missed once the stream is back. The token goes in the
 * first message, never in the URL (electron/api/event-socket-auth.ts); the stream is open once the server
 * answers "ready".
 */
import { READY_MESSAGE } from '../../../electron/api/event-socket-auth.ts';
import { checkEvent, isEventName } from './validate.ts';
import { EventListeners, StateListeners } from './listeners.ts';

/** State of the live-update channel. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/** A self-reconnecting event socket. */
export class EventSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private stateValue: ConnectionState = 'connecting';
  readonly states = new StateListeners<ConnectionState>();

  /**
   * @param url the socket's URL (no token in it)
   * @param token the access token, sent as the first message (null: none, for a server without one)
   */
  constructor(
    private readonly url: string,
    private readonly listeners: EventListeners,
    private readonly token: string | null = null,
  ) {}

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Opens the socket (idempotent). */
  start(): void {
    if (this.socket || this.closed) return;
    this.connect();
  }

  /** Closes the socket for good. */
  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  private setState(state: ConnectionState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.states.emit(state);
  }

  private connect(): void {
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'auth', token: this.token ?? '' }));
    };
    socket.onmessage = (message) => this.dispatch(message.data);
    socket.onclose = () => {
      this.socket = null;
      if (!this.closed) this.scheduleReconnect();
    };
    socket.onerror = () => {
      // onclose follows and schedules the reconnect
    };
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    const delay = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt) * (0.75 + 0.5 * Math.random());
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.connect();
    }, delay);
  }

  private dispatch(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: { event?: unknown; payload?: unknown; type?: unknown };
    try {
      message = JSON.parse(data) as { event?: unknown; payload?: unknown; type?: unknown };
    } catch {
      console.warn('[trimllm] event stream sent a message that is not JSON');
      return;
    }
    if (message.type === READY_MESSAGE.type) {
      this.attempt = 0;
      this.setState('open');
      return;
    }
    if (!isEventName(message.event)) return;
    const payload = checkEvent(message.event, message.payload);
    if (payload !== null) this.listeners.emit(message.event, payload);
  }
}
