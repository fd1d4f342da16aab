/**
 * The module's own `response.create` requests (after a tool output, after forwarded DTMF), sent
 * only while no response is in progress: the server refuses a second one
 * (`conversation_already_has_active_response`), and the response that carried a function call is
 * still in progress when its call arrives (`response.output_item.done` comes before
 * `response.done`). A request made meanwhile waits for the last active response to finish;
 * several waiting requests become one.
 */
export class ResponseRequests {
  readonly #send: () => boolean;
  readonly #active = new Set<string>();
  #pending = false;
  #sent = 0;

  /** `send` sends one `response.create`; false when it could not go out. */
  constructor(send: () => boolean) {
    this.#send = send;
  }

  get sent(): number {
    return this.#sent;
  }

  /** A response is in progress (the assistant is about to speak, or speaking). */
  get inProgress(): boolean {
    return this.#active.size > 0;
  }

  isActive(responseId: string | null): boolean {
    return responseId !== null && this.#active.has(responseId);
  }

  /** `response.created`. */
  created(responseId: string): void {
    this.#active.add(responseId);
  }

  /** `response.done`: a waiting request goes now if nothing else is in progress. */
  done(responseId: string): void {
    this.#active.delete(responseId);
    if (this.#pending && this.#active.size === 0) this.#flush();
  }

  /** Asks for a response: now, or once the active one is done. */
  request(): void {
    if (this.#active.size === 0) this.#flush();
    else this.#pending = true;
  }

  /** The connection dropped: nothing is in progress on a new one, and old requests are void. */
  reset(): void {
    this.#active.clear();
    this.#pending = false;
  }

  #flush(): void {
    this.#pending = false;
    if (this.#send()) this.#sent++;
  }
}
