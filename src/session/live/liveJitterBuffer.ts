/**
 * The arithmetic of GPT-Live's jitter buffer on a frame clock (pure; LiveTrack applies it).
 *
 * The media thread takes whole frames, one per ptime, at a phase of its own. Audio queued for the
 * caller (JS queue and native ring together, a partial frame included) is therefore heard when
 * the frame holding it is taken: a delta arriving with `waiting` samples ahead of it has its first
 * sample taken at the next frame plus one ptime per whole frame waiting. That is the delay the
 * caller hears it late by, and the margin it had against jitter.
 *
 * Priming (a delta finds nothing playable): silence is put before it, in whole frames, so its first
 * sample is taken at the frame nearest `startDelayMs` after its arrival — the delay is
 * `startDelayMs` ± half a ptime whatever the clock's phase was. (Holding the delta `startDelayMs`
 * and then waiting for the next frame added 0–1 ptime on top; measured in bench/live/.)
 *
 * Standing lag: over a window of deltas, the smallest delay seen is the margin the latest of them
 * had. When even that stayed above what priming gives (`startDelayMs` + half a ptime, plus a small
 * slack for clock noise), the excess is lag left by a late delta, and whole frames of it are
 * dropped. A single delta `BURST_EXCESS_MS` beyond that is a burst (a stalled server or socket
 * catching up; a real-time source cannot otherwise be that early): its excess goes at once rather
 * than a window later, so the caller does not stay a delta or more behind the model for a second.
 * The delta right after a priming one is a window of its own: priming dates the track by one
 * arrival, and when that one was noticed late (the event loop busy as twenty calls start at once:
 * bench/live/) every later delta would otherwise wait that much longer for a whole window.
 */

/** Deltas in a window of the standing-lag check (about a second of Live output). */
export const TRIM_WINDOW = 10;
/** Timing noise tolerated above the primed delay before a standing lag counts (ms). */
export const TRIM_SLACK_MS = 5;
/** A delta this far beyond the primed delay is a catch-up burst, trimmed at once (ms). */
export const BURST_EXCESS_MS = 50;

export interface FrameClock {
  /** Samples per frame. */
  frameSamples: number;
  sampleRate: number;
  /** Time until the media thread takes its next frame (ms, 0..ptime). */
  nextFrameInMs: number;
}

export function ptimeMs(clock: Pick<FrameClock, 'frameSamples' | 'sampleRate'>): number {
  return (clock.frameSamples * 1000) / clock.sampleRate;
}

/**
 * Time to the next frame from how long ago the media thread last asked for one (-1: unknown, taken
 * as a whole ptime: the later end). A clock that missed ticks (older than a ptime) is due now.
 */
export function nextFrameInMs(msSinceTick: number, ptime: number): number {
  if (!(msSinceTick >= 0)) return ptime;
  return Math.max(0, ptime - msSinceTick);
}

/** When a delta with `waitingSamples` queued ahead of it will have its first sample taken (ms from now). */
export function expectedDelayMs(waitingSamples: number, clock: FrameClock): number {
  const framesAhead = Math.floor(Math.max(0, waitingSamples) / clock.frameSamples);
  return clock.nextFrameInMs + framesAhead * ptimeMs(clock);
}

/** Whole frames of silence to put before a priming delta so it is taken nearest `startDelayMs` after now. */
export function primeFrames(startDelayMs: number, clock: FrameClock): number {
  return Math.max(0, Math.round((startDelayMs - clock.nextFrameInMs) / ptimeMs(clock)));
}

/** Watches the delay of each delta over a window; says how many whole frames of standing lag to drop. */
export class StandingLag {
  readonly #startDelayMs: number;
  readonly #window: number;
  #minMs = Infinity;
  #count = 0;
  /** The next delta is the first after a priming: it is judged alone. */
  #afterPrime = true;

  constructor(startDelayMs: number, window: number) {
    this.#startDelayMs = startDelayMs;
    this.#window = Math.max(1, window);
  }

  /** A new priming: what was seen before it says nothing about the delay from now on. */
  restart(): void {
    this.#reset();
    this.#afterPrime = true;
  }

  #reset(): void {
    this.#minMs = Infinity;
    this.#count = 0;
  }

  /** One delta's expected delay; at the end of a window, the frames to drop (0: none). */
  observe(delayMs: number, ptime: number): number {
    const allowed = this.#startDelayMs + ptime / 2 + TRIM_SLACK_MS;
    if (delayMs - allowed >= BURST_EXCESS_MS) {
      this.#reset();
      this.#afterPrime = false;
      return Math.ceil((delayMs - allowed) / ptime);
    }
    this.#minMs = Math.min(this.#minMs, delayMs);
    if (++this.#count < (this.#afterPrime ? 1 : this.#window)) return 0;
    const excess = this.#minMs - allowed;
    this.#reset();
    this.#afterPrime = false;
    return excess > 0 ? Math.ceil(excess / ptime) : 0;
  }
}
