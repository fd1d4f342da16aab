/**
 * When Live output audio starts playing, as a pure policy over arrival times.
 *
 * Live sends one continuous track at real-time pace (about 100 ms a delta, silence included), not
 * Realtime's bursts. Playing each delta the moment it arrives leaves no margin: the next delta is
 * due exactly when the last sample of this one is played, so any network jitter is an underrun.
 * Waiting `startDelayMs` after the first delta (and again after an underrun) keeps that much
 * margin. The delay is also how far what the caller hears lags the model's timeline, and the model
 * judges barge-in on its timeline, so it stays small: 40 ms by default.
 *
 * If audio piles up anyway (a stalled then bursting network, a slow clock drift), what is buffered
 * beyond `maxBufferedMs` is dropped from the oldest end: hearing the model late is worse than
 * missing a few tens of milliseconds of it.
 *
 * The caller asks once per channel frame; the policy also measures, for each delta, the delay
 * from its arrival to its first sample being played (the figure the bench reports).
 */

export interface PlayoutPolicyOptions {
  /** Margin kept after the first delta and after each underrun. Default 40 ms. */
  startDelayMs?: number;
  /** Buffered audio beyond this is dropped (oldest first). Default 400 ms. */
  maxBufferedMs?: number;
}

export type PlayoutDecision =
  /** Play `frameMs` from the buffer. */
  | { action: 'play' }
  /** Not started yet (or re-priming after an underrun): play nothing from the buffer. */
  | { action: 'wait' }
  /** The buffer ran dry while playing: the frame is a gap; priming starts again. */
  | { action: 'underrun' };

interface Pending {
  arrivalMs: number;
  remainingMs: number;
  started: boolean;
}

export const DEFAULT_START_DELAY_MS = 40;
export const DEFAULT_MAX_BUFFERED_MS = 400;

export class PlayoutPolicy {
  readonly startDelayMs: number;
  readonly maxBufferedMs: number;
  readonly #queue: Pending[] = [];
  #bufferedMs = 0;
  #playing = false;
  /** Arrival of the delta that began the current priming, or undefined when none is waiting. */
  #primingSinceMs: number | undefined;
  #underruns = 0;
  #droppedMs = 0;
  readonly #onFirstSample: ((delayMs: number) => void) | undefined;

  constructor(options: PlayoutPolicyOptions = {}, onFirstSample?: (delayMs: number) => void) {
    this.startDelayMs = Math.max(0, options.startDelayMs ?? DEFAULT_START_DELAY_MS);
    this.maxBufferedMs = Math.max(this.startDelayMs, options.maxBufferedMs ?? DEFAULT_MAX_BUFFERED_MS);
    this.#onFirstSample = onFirstSample;
  }

  get bufferedMs(): number {
    return this.#bufferedMs;
  }

  get playing(): boolean {
    return this.#playing;
  }

  get underruns(): number {
    return this.#underruns;
  }

  /** Audio dropped because more than `maxBufferedMs` was waiting. */
  get droppedMs(): number {
    return this.#droppedMs;
  }

  /** A delta of `durationMs` arrived at `arrivalMs`. Returns how much old audio to discard now. */
  delta(arrivalMs: number, durationMs: number): number {
    if (durationMs <= 0) return 0;
    this.#queue.push({ arrivalMs, remainingMs: durationMs, started: false });
    this.#bufferedMs += durationMs;
    if (!this.#playing && this.#primingSinceMs === undefined) this.#primingSinceMs = arrivalMs;
    const excess = this.#bufferedMs - this.maxBufferedMs;
    if (excess <= 0) return 0;
    this.#consume(excess, undefined);
    this.#droppedMs += excess;
    return excess;
  }

  /** One channel frame of `frameMs` is due at `nowMs`. */
  frame(nowMs: number, frameMs: number): PlayoutDecision {
    if (!this.#playing) {
      if (this.#primingSinceMs === undefined || nowMs - this.#primingSinceMs < this.startDelayMs) return { action: 'wait' };
      this.#playing = true;
      this.#primingSinceMs = undefined;
    }
    if (this.#bufferedMs <= 0) {
      this.#playing = false;
      this.#underruns++;
      return { action: 'underrun' };
    }
    this.#consume(Math.min(frameMs, this.#bufferedMs), nowMs);
    return { action: 'play' };
  }

  /** Forget everything buffered (the stream stopped); the next delta primes again. */
  reset(): void {
    this.#queue.length = 0;
    this.#bufferedMs = 0;
    this.#playing = false;
    this.#primingSinceMs = undefined;
  }

  #consume(ms: number, playedAtMs: number | undefined): void {
    let left = ms;
    while (left > 1e-9 && this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (!head.started) {
        head.started = true;
        if (playedAtMs !== undefined) this.#onFirstSample?.(Math.max(0, playedAtMs - head.arrivalMs));
      }
      const take = Math.min(left, head.remainingMs);
      head.remainingMs -= take;
      left -= take;
      this.#bufferedMs -= take;
      if (head.remainingMs <= 1e-9) this.#queue.shift();
    }
    if (this.#bufferedMs < 1e-9) this.#bufferedMs = 0;
  }
}
