/**
 * Client events other than the start and the audio, on their way to a Live server: the
 * application's (`send_json`, `client.event`) and the module's own (mute, DTMF context). While the
 * session is active they go straight out (an application event is refused while the server is not
 * reading and the socket holds more than the application's share); before `session.started`
 * LiveSessionGate holds them (bounded) or refuses them. The last refusal's reason is kept for the
 * command's `-ERR`.
 */
import type { LiveSessionGate } from '../../protocol/live/liveSessionGate.js';
import type { LiveClientEvent } from '../../protocol/live/liveTypes.js';
import type { Logger } from '../../runtime/logger.js';
import type { EngineTransport } from '../engineTransport.js';

export class LiveOutbox {
  readonly #connection: EngineTransport;
  readonly #gate: () => LiveSessionGate;
  readonly #appBacklogBytes: number;
  readonly #log: Logger;
  #refusal: string | null = null;
  #refused = 0;

  constructor(connection: EngineTransport, gate: () => LiveSessionGate, appBacklogBytes: number, log: Logger) {
    this.#connection = connection;
    this.#gate = gate;
    this.#appBacklogBytes = appBacklogBytes;
    this.#log = log;
  }

  /** Application events refused (bound, closing, server not reading). */
  get refused(): number {
    return this.#refused;
  }

  /** Why the last event was not sent (or why one would not be now), or null. */
  refusal(): string | null {
    if (this.#refusal !== null) return this.#refusal;
    if (this.#gate().state === 'active' && !this.#connection.isOpen) return 'not connected';
    return this.#backlog();
  }

  /** Refuses an application event for a reason of the engine's; always false. */
  refuse(reason: string, counted = false): false {
    this.#refusal = reason;
    if (counted) this.#refused++;
    return false;
  }

  /** An application event (`text` as it wrote it). */
  app(text: string, event: LiveClientEvent): boolean {
    this.#refusal = null;
    const gate = this.#gate();
    if (gate.state === 'active') {
      const full = this.#backlog();
      if (full !== null) return this.refuse(full, true);
      return this.#connection.sendText(text) || this.refuse('not connected');
    }
    const decision = gate.submit(event);
    switch (decision.action) {
      case 'send':
        return this.#connection.sendText(text) || this.refuse('not connected');
      case 'queued':
        this.#log.debug(`${event.type} held until session.started`);
        return true;
      case 'drop':
        return true;
      case 'refuse':
        return this.refuse(decision.reason, true);
    }
  }

  /** An event the module sends on its own account: the same order, never counted as the app's. */
  own(event: LiveClientEvent): void {
    const gate = this.#gate();
    const decision = gate.state === 'active' ? { action: 'send' as const } : gate.submit(event);
    if (decision.action === 'send') this.#connection.sendText(JSON.stringify(event));
    else if (decision.action === 'refuse') this.#log.debug(`${event.type} not sent: ${decision.reason}`);
  }

  #backlog(): string | null {
    const waiting = this.#connection.bufferedAmount;
    return waiting > this.#appBacklogBytes ? `send buffer full: the server is not reading (${waiting} bytes waiting, max ${this.#appBacklogBytes})` : null;
  }
}
