/**
 * Hands the keys the caller presses to the model (OPENAI_REALTIME_DTMF=forward) so the assistant
 * can act on them ("press 1 for ..."; an account number typed on the keypad). Keys pressed in one
 * go — each within `batchMs` of the previous one — become one user message,
 * `conversation.item.create` with an `input_text` "The caller pressed 1234#", followed by a
 * request for a response unless the call said not to (OPENAI_REALTIME_DTMF_RESPONSE=false): the
 * server VAD answers speech, not text, so the model would otherwise only see the keys at the
 * caller's next spoken turn.
 */
export interface DtmfForwarderDeps {
  batchMs: number;
  respond: boolean;
  /** Sends one client event the module originates; false when it could not go out (not connected). */
  send(event: Record<string, unknown>): boolean;
  /** Asks for a `response.create` (responseRequests.ts: it waits for an active response to end). */
  requestResponse(): void;
  /** For the channel's log. */
  debug(message: string): void;
}

/** More keys than this in one batch are sent at once (a stuck key must not grow the batch forever). */
const MAX_BATCH = 64;

export class DtmfForwarder {
  readonly #d: DtmfForwarderDeps;
  #digits = '';
  #timer: NodeJS.Timeout | null = null;
  #messages = 0;

  constructor(deps: DtmfForwarderDeps) {
    this.#d = deps;
  }

  get messagesSent(): number {
    return this.#messages;
  }

  press(digit: string): void {
    this.#digits += digit;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#digits.length >= MAX_BATCH || this.#d.batchMs === 0) {
      this.#flush();
      return;
    }
    this.#timer = setTimeout(() => this.#flush(), this.#d.batchMs);
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#digits = '';
  }

  #flush(): void {
    this.#timer = null;
    const digits = this.#digits;
    this.#digits = '';
    if (digits === '') return;
    const sent = this.#d.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `The caller pressed ${digits}` }] },
    });
    if (!sent) {
      this.#d.debug(`DTMF ${digits} not forwarded: not connected`);
      return;
    }
    this.#messages++;
    this.#d.debug(`DTMF ${digits} forwarded to the model`);
    if (this.#d.respond) this.#d.requestResponse();
  }
}
