/**
 * The two latencies an operator asks about when a caller says "it takes ages to answer", measured
 * per session on the Node thread and reported as the last value seen (status, stats events):
 *
 * - **response** (`responseMs`): from `input_audio_buffer.speech_stopped` arriving (the server
 *   decided the caller finished) to the first audio delta of the next response arriving. This is
 *   the server's thinking time plus the network, as this module sees it. A response with no
 *   speech_stopped before it (a greeting, a tool output) is not measured.
 * - **playout** (`playoutMs`): from a response's first audio delta arriving to the media thread
 *   taking its first sample from the playback ring. This is the module's own share: decoding,
 *   resampling, the queue and the ring (JSON mode; raw binary frames carry no response id).
 *
 * Times come from the caller (Date.now()): the meter itself is pure.
 */
export interface LatencySnapshot {
  /** Last speech_stopped → first audio delta, in ms; null until measured. */
  responseMs: number | null;
  /** Last first delta → first sample played, in ms; null until measured. */
  playoutMs: number | null;
  /** How many responses were measured (response latency). */
  responses: number;
}

/** Every measurement of this thread's meters, as it is made (status/sessionMetrics.ts: the histograms). */
export type LatencyObserver = (kind: 'response' | 'playout', ms: number) => void;
let observer: LatencyObserver | null = null;

/** One observer per JS thread (its metrics); null to stop. */
export function observeLatencies(o: LatencyObserver | null): void {
  observer = o;
}

export class LatencyMeter {
  #turnEndedAt: number | null = null;
  /** Responses whose first delta arrived and whose first sample has not been played yet. */
  readonly #firstDeltaAt = new Map<string, number>();
  readonly #seen = new Set<string>();
  #responseMs: number | null = null;
  #playoutMs: number | null = null;
  #responses = 0;

  /** `input_audio_buffer.speech_stopped` arrived. */
  speechStopped(now: number): void {
    this.#turnEndedAt = now;
  }

  /** An audio delta of `responseId` was decoded and queued. */
  audioDelta(responseId: string | null, now: number): void {
    if (responseId === null || this.#seen.has(responseId)) return;
    this.#seen.add(responseId);
    // Ids are only needed until the next response starts; keep the set small.
    if (this.#seen.size > 64) this.#seen.delete(this.#seen.values().next().value as string);
    this.#firstDeltaAt.set(responseId, now);
    if (this.#turnEndedAt !== null) {
      this.#responseMs = now - this.#turnEndedAt;
      observer?.('response', this.#responseMs);
      this.#responses++;
      this.#turnEndedAt = null;
    }
  }

  /** The media thread took the first sample of `responseId`. */
  playbackStarted(responseId: string, now: number): void {
    const at = this.#firstDeltaAt.get(responseId);
    if (at === undefined) return;
    this.#firstDeltaAt.delete(responseId);
    this.#playoutMs = now - at;
    observer?.('playout', this.#playoutMs);
  }

  /** A barge-in flushed everything: those first samples will never be played. */
  flushed(): void {
    this.#firstDeltaAt.clear();
  }

  snapshot(): LatencySnapshot {
    return { responseMs: this.#responseMs, playoutMs: this.#playoutMs, responses: this.#responses };
  }
}
