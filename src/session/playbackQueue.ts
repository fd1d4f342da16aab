/**
 * Assistant audio at the channel rate, waiting for room in the playback ring. The server sends
 * audio faster than real time; the ring is kept only ~80 ms ahead (so a barge-in flush is
 * instant), so everything else waits here.
 *
 * Samples are tagged (an item number, or {@link SILENCE_TAG} for padding) in runs, so the reader
 * knows which item each sample it moves to the ring belongs to: that is how "played ms of item X"
 * is counted from what the media thread actually consumed.
 *
 * Bounded (default 60 s). On overflow the NEWEST samples are dropped and counted: what is already
 * queued keeps playing without a jump, and the audio a caller hears is always a prefix of what was
 * received, so the played-ms accounting of a truncate stays exact. (Dropping the oldest would cut
 * a hole into audio that is about to play.) The store grows by doubling up to the bound, so an
 * idle session holds a small buffer and the steady state allocates nothing.
 */
export const SILENCE_TAG = -1;
export const DEFAULT_MAX_QUEUE_SECONDS = 60;

const INITIAL_SECONDS = 2;

interface Run {
  tag: number;
  count: number;
}

export class PlaybackQueue {
  readonly maxSamples: number;
  #buffer: Int16Array;
  #head = 0; // index of the oldest sample
  #length = 0;
  readonly #runs: Run[] = [];
  #runHead = 0;
  #dropped = 0;

  constructor(sampleRate: number, maxSeconds = DEFAULT_MAX_QUEUE_SECONDS) {
    this.maxSamples = Math.max(1, Math.round(sampleRate * maxSeconds));
    this.#buffer = new Int16Array(Math.min(this.maxSamples, Math.round(sampleRate * INITIAL_SECONDS)));
  }

  /** Samples waiting. */
  get length(): number {
    return this.#length;
  }

  /** Samples refused because the queue was full. */
  get droppedSamples(): number {
    return this.#dropped;
  }

  /** Tag of the oldest waiting sample, or undefined when empty. */
  get headTag(): number | undefined {
    return this.#length === 0 ? undefined : this.#runs[this.#runHead]!.tag;
  }

  /** Appends samples[0..length) tagged `tag`; returns how many fit (the rest is dropped and counted). */
  push(samples: Int16Array, length: number, tag: number): number {
    const accepted = this.#reserve(length, tag);
    let at = (this.#head + this.#length) % this.#buffer.length;
    let from = 0;
    while (from < accepted) {
      const n = Math.min(accepted - from, this.#buffer.length - at);
      this.#buffer.set(samples.subarray(from, from + n), at);
      from += n;
      at = (at + n) % this.#buffer.length;
    }
    this.#length += accepted;
    return accepted;
  }

  /** Appends `count` zeros tagged `tag`. */
  pushSilence(count: number, tag = SILENCE_TAG): number {
    const accepted = this.#reserve(count, tag);
    let at = (this.#head + this.#length) % this.#buffer.length;
    let left = accepted;
    while (left > 0) {
      const n = Math.min(left, this.#buffer.length - at);
      this.#buffer.fill(0, at, at + n);
      left -= n;
      at = (at + n) % this.#buffer.length;
    }
    this.#length += accepted;
    return accepted;
  }

  /**
   * Moves up to `max` samples of the oldest run (one tag only) into out[0..); returns the count.
   * Call again for the next run; `headTag` says what the next call returns.
   */
  readRun(out: Int16Array, max: number): number {
    if (this.#length === 0 || max <= 0) return 0;
    const run = this.#runs[this.#runHead]!;
    const count = Math.min(max, run.count, out.length);
    let taken = 0;
    while (taken < count) {
      const n = Math.min(count - taken, this.#buffer.length - this.#head);
      out.set(this.#buffer.subarray(this.#head, this.#head + n), taken);
      taken += n;
      this.#head = (this.#head + n) % this.#buffer.length;
    }
    this.#length -= count;
    run.count -= count;
    if (run.count === 0) this.#shiftRun();
    return count;
  }

  /** Drops everything waiting (barge-in). */
  clear(): void {
    this.#head = 0;
    this.#length = 0;
    this.#runs.length = 0;
    this.#runHead = 0;
  }

  /** Makes room for up to `count` more samples; returns how many are accepted and records the run. */
  #reserve(count: number, tag: number): number {
    const free = this.maxSamples - this.#length;
    const accepted = Math.max(0, Math.min(count, free));
    this.#dropped += count - accepted;
    if (accepted === 0) return 0;
    if (this.#length + accepted > this.#buffer.length) this.#grow(this.#length + accepted);
    const last = this.#runs.length > this.#runHead ? this.#runs[this.#runs.length - 1]! : undefined;
    if (last && last.tag === tag) last.count += accepted;
    else this.#runs.push({ tag, count: accepted });
    return accepted;
  }

  #grow(needed: number): void {
    let capacity = this.#buffer.length;
    while (capacity < needed) capacity *= 2;
    capacity = Math.min(capacity, this.maxSamples);
    const next = new Int16Array(capacity);
    // Unwrap the ring into the new store.
    const firstPart = Math.min(this.#length, this.#buffer.length - this.#head);
    next.set(this.#buffer.subarray(this.#head, this.#head + firstPart), 0);
    if (firstPart < this.#length) next.set(this.#buffer.subarray(0, this.#length - firstPart), firstPart);
    this.#buffer = next;
    this.#head = 0;
  }

  #shiftRun(): void {
    this.#runHead++;
    // Compact now and then so the run list does not grow without bound.
    if (this.#runHead > 32 && this.#runHead * 2 > this.#runs.length) {
      this.#runs.splice(0, this.#runHead);
      this.#runHead = 0;
    }
    if (this.#runHead === this.#runs.length) {
      this.#runs.length = 0;
      this.#runHead = 0;
    }
  }
}
