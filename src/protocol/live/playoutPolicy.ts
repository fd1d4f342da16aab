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
 * A late delta costs more than its underrun: playout restarts `startDelayMs` after it, and as the
 * following deltas arrive on time again, everything after plays that much later — for good, since
 * the track is continuous and played at the same real-time rate it arrives. Each underrun would
 * add to the caller's lag behind the model (in one bench run at 20 calls, bench/live/, 12 underruns
 * raised the p99 delay from 58 to 110 ms). So the policy watches the audio already waiting when each delta arrives: when it
 * has stayed above `startDelayMs + driftToleranceMs` for `trimWindow` deltas in a row (about a
 * second), that standing excess is not jitter margin but lag, and it is trimmed from the oldest
 * end. Audio piling up beyond `maxBufferedMs` (a stall, then a burst) is dropped at once. Hearing
 * the model late is worse than missing a few tens of milliseconds of it (on Live, most of the
 * track is silence between replies).
 *
 * The caller asks once per channel frame; the policy also measures, for each delta, the delay
 * from its arrival to its first sample being played (the figure the bench reports).
 */

export interface PlayoutPolicyOptions {
  /** Margin kept after the first delta and after each underrun. Default 40 ms. */
  startDelayMs?: number;
  /** Buffered audio beyond this is dropped (oldest first). Default 400 ms. */
  maxBufferedMs?: number;
  /** Standing excess over `startDelayMs` tolerated before trimming (frame quantisation). Default 20 ms. */
  driftToleranceMs?: number;
  /** Deltas in a row the excess must last before it is trimmed. Default 10 (about 1 s of Live output). */
  trimWindow?: number;
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
export const DEFAULT_DRIFT_TOLERANCE_MS = 20;
export const DEFAULT_TRIM_WINDOW = 10;

export class PlayoutPolicy {
  readonly startDelayMs: number;
  readonly maxBufferedMs: number;
  readonly driftToleranceMs: number;
  readonly trimWindow: number;
  readonly #queue: Pending[] = [];
  #bufferedMs = 0;
  #playing = false;
  /** Arrival of the delta that began the current priming, or undefined when none is waiting. */
  #primingSinceMs: number | undefined;
  #underruns = 0;
  #droppedMs = 0;
  #trimmedMs = 0;
  /** The smallest wait seen at a delta's arrival over the current run of deltas, and the run's length. */
  #standingMinMs = Infinity;
  #standingCount = 0;
  readonly #onFirstSample: ((delayMs: number) => void) | undefined;

  constructor(options: PlayoutPolicyOptions = {}, onFirstSample?: (delayMs: number) => void) {
    this.startDelayMs = Math.max(0, options.startDelayMs ?? DEFAULT_START_DELAY_MS);
    this.maxBufferedMs = Math.max(this.startDelayMs, options.maxBufferedMs ?? DEFAULT_MAX_BUFFERED_MS);
    this.driftToleranceMs = Math.max(0, options.driftToleranceMs ?? DEFAULT_DRIFT_TOLERANCE_MS);
    this.trimWindow = Math.max(1, Math.round(options.trimWindow ?? DEFAULT_TRIM_WINDOW));
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

  /** Audio trimmed because a standing lag had built up (after late deltas). */
  get trimmedMs(): number {
    return this.#trimmedMs;
  }

  /** A delta of `durationMs` arrived at `arrivalMs`. Returns how much old audio to discard now. */
  delta(arrivalMs: number, durationMs: number): number {
    if (durationMs <= 0) return 0;
    const trimmed = this.#trimStandingLag();
    this.#queue.push({ arrivalMs, remainingMs: durationMs, started: false });
    this.#bufferedMs += durationMs;
    if (!this.#playing && this.#primingSinceMs === undefined) this.#primingSinceMs = arrivalMs;
    const excess = this.#bufferedMs - this.maxBufferedMs;
    if (excess <= 0) return trimmed;
    this.#consume(excess, undefined);
    this.#droppedMs += excess;
    return trimmed + excess;
  }

  /** Before a delta is added: trim a lag that has stood for `trimWindow` deltas. */
  #trimStandingLag(): number {
    if (!this.#playing) {
      this.#standingMinMs = Infinity;
      this.#standingCount = 0;
      return 0;
    }
    this.#standingMinMs = Math.min(this.#standingMinMs, this.#bufferedMs);
    this.#standingCount++;
    if (this.#standingCount < this.trimWindow) return 0;
    const excess = this.#standingMinMs - this.startDelayMs;
    this.#standingMinMs = Infinity;
    this.#standingCount = 0;
    if (excess <= this.driftToleranceMs) return 0;
    this.#consume(excess, undefined);
    this.#trimmedMs += excess;
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
    this.#standingMinMs = Infinity;
    this.#standingCount = 0;
  }

  #consume(ms: number, playedAtMs: number | undefined): void {
    let left = ms;
    while (left > 1e-9 && this.#queue.length > 0) {
      const head = this.#queue[0]!;
      // Only a played sample counts: a delta trimmed in part is measured when its rest plays.
      if (!head.started && playedAtMs !== undefined) {
        head.started = true;
        this.#onFirstSample?.(Math.max(0, playedAtMs - head.arrivalMs));
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
