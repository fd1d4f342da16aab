/**
 * Client events of the application (`send_json`, `client.event`) that arrive while the stream is
 * still connecting or reconnecting. Applications send their `session.update` right after `start`
 * (the seed's own flow); refusing it with `-ERR not connected` made every ported application add
 * a retry, and the module we replace answered `+OK` and silently dropped some. Here they wait, in
 * order, and go out once the server has opened its session (its first event, `session.created`).
 *
 * Bounded in count and bytes, so an application that keeps sending to a server that never answers
 * cannot grow memory: beyond the bound the event is refused with a reason. What is still queued
 * when the stream ends is handed back so the session can say what was not sent.
 */
export interface QueuedClientEvent {
  text: string;
  parsed: Record<string, unknown>;
  opensUplink: boolean;
  /** Bookkeeping of the session once the event has really gone out. */
  sent: () => void;
}

/** Most events waiting at once. */
export const MAX_QUEUED_CLIENT_EVENTS = 64;

export class ClientEventQueue {
  readonly maxBytes: number;
  readonly maxEvents: number;
  readonly #events: QueuedClientEvent[] = [];
  #bytes = 0;
  #queuedTotal = 0;

  constructor(maxBytes: number, maxEvents = MAX_QUEUED_CLIENT_EVENTS) {
    this.maxBytes = maxBytes;
    this.maxEvents = maxEvents;
  }

  get length(): number {
    return this.#events.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Events ever queued (status). */
  get queuedTotal(): number {
    return this.#queuedTotal;
  }

  /** Queues the event; returns null, or why it was refused (the bound). */
  push(event: QueuedClientEvent): string | null {
    const size = Buffer.byteLength(event.text);
    if (this.#events.length >= this.maxEvents || this.#bytes + size > this.maxBytes) {
      return (
        `queue full: ${this.#events.length} client events (${this.#bytes} bytes) wait for the connection ` +
        `(max ${this.maxEvents} events, ${this.maxBytes} bytes)`
      );
    }
    this.#events.push(event);
    this.#bytes += size;
    this.#queuedTotal++;
    return null;
  }

  /** Sends the events in order while `send` succeeds; what could not go out stays first in line. */
  drain(send: (event: QueuedClientEvent) => boolean): number {
    let sent = 0;
    while (this.#events.length > 0) {
      const next = this.#events[0]!;
      if (!send(next)) break;
      this.#events.shift();
      this.#bytes -= Buffer.byteLength(next.text);
      sent++;
    }
    return sent;
  }

  /** Empties the queue; returns the `type` of each event that was waiting. */
  clear(): string[] {
    const types = this.#events.map((e) => (typeof e.parsed.type === 'string' ? e.parsed.type : '(no type)'));
    this.#events.length = 0;
    this.#bytes = 0;
    return types;
  }
}
