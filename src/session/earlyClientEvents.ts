/**
 * The engine's part that holds the application's client events until the server can take them.
 * An event sent while the socket is connecting or reconnecting, or before the server's first event
 * on a new connection (`session.created`, after which the profile's session has gone out), waits in
 * a bounded {@link ClientEventQueue} and goes out in order once the server is ready; after that,
 * events go straight through. Raw mode has no session handshake: the open socket is ready.
 */
import type { Logger } from '../runtime/logger.js';
import { ClientEventQueue, type QueuedClientEvent } from './clientEventQueue.js';
import type { ConnectionState } from './realtimeConnection.js';

export type SubmitResult = 'sent' | 'queued' | { refused: string };

export interface EarlyClientEventsDeps {
  /** The socket's state now. */
  state(): ConnectionState;
  /** Sends one event of the app now (false: not sent, it stays queued). */
  send(event: QueuedClientEvent): boolean;
  /** Why an event would not be sent now (used when it was neither queued nor sent). */
  refusal(): string | null;
  log: Logger;
}

export class EarlyClientEvents {
  readonly #queue: ClientEventQueue;
  readonly #deps: EarlyClientEventsDeps;
  /** The server of this connection has sent its first event (or, raw mode, the socket is open). */
  #serverReady = false;

  constructor(maxBytes: number, deps: EarlyClientEventsDeps) {
    this.#queue = new ClientEventQueue(maxBytes);
    this.#deps = deps;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get queuedTotal(): number {
    return this.#queue.queuedTotal;
  }

  /** An event of the app: sent now, or queued while the stream connects (or earlier ones still wait). */
  submit(event: QueuedClientEvent, ending: boolean): SubmitResult {
    const state = this.#deps.state();
    if (state === 'open' && this.#serverReady) this.#flush();
    if (!ending && (state === 'idle' || state === 'connecting' || (state === 'open' && this.#queue.length > 0))) {
      const refused = this.#queue.push(event);
      return refused === null ? 'queued' : { refused };
    }
    if (!this.#deps.send(event)) return { refused: this.#deps.refusal() ?? 'not connected' };
    return 'sent';
  }

  /** The socket opened: raw mode is ready now; JSON mode waits for the server's first event. */
  opened(raw: boolean): void {
    this.#serverReady = raw;
    if (raw) this.#flush();
  }

  /** A server event arrived: the first one on a connection makes the server ready. */
  serverEvent(): void {
    if (this.#serverReady) return;
    this.#serverReady = true;
    this.#flush();
  }

  disconnected(): void {
    this.#serverReady = false;
  }

  /** Empties the queue; returns the `type` of each event that was still waiting. */
  clear(): string[] {
    return this.#queue.clear();
  }

  #flush(): void {
    if (this.#queue.length === 0) return;
    const n = this.#queue.drain((e) => this.#deps.send(e));
    const left = this.#queue.length;
    this.#deps.log.info(`sent ${n} client event(s) queued while connecting${left > 0 ? `, ${left} still wait` : ''}`);
  }
}
