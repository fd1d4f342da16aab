/**
 * The server closed for good (no reconnect will follow): audio it already sent is the end of what
 * the assistant said, so the caller hears it before the stream ends (the module we replace, and
 * ours until now, cut it off). The end waits until playout is idle — checked as the media thread
 * asks for room — at most `maxWaitMs` (a held or paused channel must not keep the stream forever);
 * a hangup or `stop` meanwhile ends it at once, as always.
 */
export class EndAfterPlayback {
  #reason: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #end: (reason: string) => void;

  constructor(end: (reason: string) => void) {
    this.#end = end;
  }

  get waiting(): boolean {
    return this.#reason !== null;
  }

  /** Ends now if nothing is left to play, else once it has played (or after `maxWaitMs`). */
  begin(reason: string, playoutIdle: boolean, maxWaitMs: number): void {
    if (this.#reason !== null) return;
    if (playoutIdle) {
      this.#end(reason);
      return;
    }
    this.#reason = reason;
    this.#timer = setTimeout(() => this.#fire(), maxWaitMs);
    this.#timer.unref?.();
  }

  /** The media thread took audio: end if all of it has played now. */
  check(playoutIdle: boolean): void {
    if (this.#reason !== null && playoutIdle) this.#fire();
  }

  /** The stream ends for another reason: nothing to wait for any more. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#reason = null;
  }

  #fire(): void {
    const reason = this.#reason;
    this.cancel();
    if (reason !== null) this.#end(reason);
  }
}
