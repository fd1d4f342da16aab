/**
 * GPT-Live's output track on the engine's Playout: one continuous real-time stream (about 100 ms a
 * delta, silence between replies, no ids), played through a small jitter buffer.
 *
 *   delta ─► (priming: held startDelayMs) ─► Playout (decoder, queue, ring top-up) ─► media thread
 *
 * - Priming, as PlayoutPolicy (src/protocol/live/playoutPolicy.ts) decides it: when a delta finds
 *   nothing left to play (the first one, or after the buffer ran dry), it and what follows are
 *   held `startDelayMs` (40 ms by default) before they go to the Playout. That margin absorbs
 *   network jitter; it is also how far the caller lags the model's timeline, so it stays small.
 * - Never faster than real time: the Playout moves audio into the ring only as the media thread
 *   plays it, and the Live server sends in real time.
 * - A standing lag (a late delta followed by punctual ones leaves the buffer fuller for good) is
 *   trimmed as PlayoutPolicy does: audio waiting beyond `startDelayMs` plus a tolerance at every
 *   delta of a run of `trimWindow` is dropped from the JS queue.
 * - The channel's own audio takes precedence as for Realtime (the media thread decides; nothing here).
 *
 * What the caller hears is followed from the ring's played position: the delay from each delta's
 * arrival to its first sample played (the figure `openai_realtime status` and the bench report),
 * and speech start/stop — the model's voice in the track, judged from the audio: a delta louder
 * than silence starts speech when it is played; `SPEECH_END_MS` of silent track played ends it.
 */
import { Buffer } from 'node:buffer';
import { decodeAlaw, decodeMulaw } from '../../audio/g711.js';
import type { MediaChannel } from '../../media/mediaChannel.js';
import { DEFAULT_DRIFT_TOLERANCE_MS, DEFAULT_START_DELAY_MS, DEFAULT_TRIM_WINDOW } from '../../protocol/live/playoutPolicy.js';
import type { DeltaResult, Playout } from '../playout.js';
import type { WireFormat } from '../sessionFormats.js';

/** The one "item" the continuous track is to the Playout. */
export const LIVE_TRACK_ITEM = 'live-track';
/** Silent track played for this long ends the model's speech (::openai_speech_stop). */
export const SPEECH_END_MS = 300;
/** Peak below this (about -40 dBFS) is silence. */
const SILENCE_PEAK = 320;
/** Delays kept for the percentiles in status. */
const DELAY_SAMPLES = 2048;

export interface LiveTrackEvents {
  speechStarted(): void;
  speechStopped(): void;
}

interface Pending {
  /** Ring position of the delta's first sample. */
  position: number;
  arrivalMs: number;
  durationMs: number;
  voiced: boolean;
}

export class LiveTrack {
  readonly startDelayMs: number;
  readonly #playout: Playout;
  readonly #port: MediaChannel;
  readonly #events: LiveTrackEvents;
  readonly #now: () => number;
  readonly #timers: boolean;
  #format: WireFormat = { encoding: 'pcm', rate: 24000 };
  #held: Array<{ delta: string; arrivalMs: number }> = [];
  #primeUntil: number | null = null;
  /** Releases a primed buffer on time: the media thread's next room report may be 10 ms later. */
  #primeTimer: NodeJS.Timeout | null = null;
  readonly #pending: Pending[] = [];
  readonly #delays: number[] = [];
  #scratch = new Int16Array(0);
  #speaking = false;
  #silentMs = 0;
  #primes = 0;
  #trimmedMs = 0;
  #standingMinMs = Infinity;
  #standingCount = 0;
  #deltas = 0;

  /** `now`: a clock for tests, which then release primed audio from onRoom only (no timer). */
  constructor(playout: Playout, port: MediaChannel, options: { startDelayMs?: number; events: LiveTrackEvents; now?: () => number }) {
    this.#playout = playout;
    this.#port = port;
    this.#events = options.events;
    this.startDelayMs = Math.max(0, options.startDelayMs ?? DEFAULT_START_DELAY_MS);
    this.#now = options.now ?? Date.now;
    this.#timers = options.now === undefined;
  }

  configure(format: WireFormat): void {
    this.#format = format;
    this.#playout.configure(format);
  }

  /** The model's voice is being played (speech started and not yet stopped). */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** Track audio waiting to be played (JS queue and ring), ms: the lag behind the model's timeline. */
  get bufferedMs(): number {
    if (this.#port.released) return 0;
    return ((this.#playout.queuedSamples + this.#port.playbackQueued()) * 1000) / this.#port.sampleRate;
  }

  /** One `session.output_audio.delta`. */
  delta(delta: string): DeltaResult {
    const now = this.#now();
    this.#deltas++;
    if (this.#primeUntil !== null) {
      this.#held.push({ delta, arrivalMs: now });
      return { queued: true, file: null };
    }
    if (this.#dry()) {
      this.#primes++;
      this.#primeUntil = now + this.startDelayMs;
      this.#held.push({ delta, arrivalMs: now });
      if (this.startDelayMs === 0) this.#release(now);
      else if (this.#timers) {
        this.#primeTimer = setTimeout(() => {
          this.#primeTimer = null;
          if (this.#primeUntil !== null) this.#release(this.#now());
        }, this.startDelayMs);
      }
      return { queued: true, file: null };
    }
    this.#trimStandingLag();
    return this.#play(delta, now);
  }

  /** Room in the ring (at least every 10 ms): release a primed buffer when due, follow what was played. */
  onRoom(): void {
    const now = this.#now();
    if (this.#primeUntil !== null && now >= this.#primeUntil) this.#release(now);
    this.#playout.onRoom();
    const played = this.#port.playedPosition();
    while (this.#pending.length > 0 && played > this.#pending[0]!.position) {
      const p = this.#pending.shift()!;
      if (this.#delays.length >= DELAY_SAMPLES) this.#delays.shift();
      this.#delays.push(Math.max(0, now - p.arrivalMs));
      this.#followSpeech(p);
    }
  }

  /** The socket dropped or the session ended: what was held goes; speech, if any, has stopped. */
  reset(): void {
    this.#clearTimer();
    this.#held = [];
    this.#primeUntil = null;
    this.#pending.length = 0;
    this.#standingMinMs = Infinity;
    this.#standingCount = 0;
    this.#playout.endCurrent();
    this.#stopSpeech();
  }

  /** The engine is ending: nothing held is released any more. */
  dispose(): void {
    this.#clearTimer();
    this.#held = [];
    this.#primeUntil = null;
  }

  /** Whether speech was reported started and not stopped; clears it (the engine's end reports the stop). */
  takeSpeaking(): boolean {
    const was = this.#speaking;
    this.#speaking = false;
    return was;
  }

  status(): Record<string, unknown> {
    const sorted = [...this.#delays].sort((a, b) => a - b);
    const at = (q: number): number | null => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    return {
      startDelayMs: this.startDelayMs,
      deltas: this.#deltas,
      primes: this.#primes,
      trimmedMs: Math.round(this.#trimmedMs),
      bufferedMs: Math.round(this.bufferedMs),
      playoutDelayMs: { p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : null, count: sorted.length },
      speaking: this.#speaking,
    };
  }

  /** Nothing left to play: no queued audio, nothing in the ring. */
  #dry(): boolean {
    return this.#port.released || (this.#playout.queuedSamples === 0 && this.#port.playbackQueued() === 0);
  }

  #clearTimer(): void {
    if (this.#primeTimer !== null) clearTimeout(this.#primeTimer);
    this.#primeTimer = null;
  }

  #release(now: number): void {
    this.#clearTimer();
    this.#primeUntil = null;
    const held = this.#held;
    this.#held = [];
    for (const h of held) this.#play(h.delta, h.arrivalMs);
    void now;
  }

  #play(delta: string, arrivalMs: number): DeltaResult {
    const position = this.#port.writtenPosition() + this.#playout.queuedSamples;
    const result = this.#playout.playDelta(LIVE_TRACK_ITEM, null, delta);
    if (result.queued) {
      const { durationMs, voiced } = this.#inspect(delta);
      this.#pending.push({ position, arrivalMs, durationMs, voiced });
    }
    return result;
  }

  /**
   * PlayoutPolicy's trim: the audio waiting when a delta arrives should be about `startDelayMs`;
   * when it stayed above that (plus tolerance and one frame of quantisation) for a whole run of
   * deltas, the excess is lag, and it is dropped from the JS queue (what is already in the ring plays).
   */
  #trimStandingLag(): void {
    const rate = this.#port.sampleRate;
    const waitingMs = ((this.#playout.queuedSamples + this.#port.playbackQueued()) * 1000) / rate;
    this.#standingMinMs = Math.min(this.#standingMinMs, waitingMs);
    if (++this.#standingCount < DEFAULT_TRIM_WINDOW) return;
    const frameMs = (this.#port.frameSamples * 1000) / rate;
    const excessMs = this.#standingMinMs - this.startDelayMs - DEFAULT_DRIFT_TOLERANCE_MS - frameMs;
    this.#standingMinMs = Infinity;
    this.#standingCount = 0;
    if (excessMs <= 0) return;
    const dropped = this.#playout.dropQueued(Math.round((excessMs * rate) / 1000));
    this.#trimmedMs += (dropped * 1000) / rate;
  }

  /** The delta's length and whether it holds voice (decoded once more here: about 100 ms, ten times a second). */
  #inspect(delta: string): { durationMs: number; voiced: boolean } {
    const bytes = Buffer.from(delta, 'base64');
    const f = this.#format;
    const samples = f.encoding === 'pcm' ? bytes.length >> 1 : bytes.length;
    const durationMs = (samples * 1000) / f.rate;
    let peak = 0;
    if (f.encoding === 'pcm') {
      for (let i = 0; i + 1 < bytes.length; i += 2) {
        const v = Math.abs(bytes.readInt16LE(i));
        if (v > peak) peak = v;
      }
    } else {
      if (this.#scratch.length < samples) this.#scratch = new Int16Array(samples);
      if (f.encoding === 'pcmu') decodeMulaw(bytes, samples, this.#scratch);
      else decodeAlaw(bytes, samples, this.#scratch);
      for (let i = 0; i < samples; i++) {
        const v = Math.abs(this.#scratch[i]!);
        if (v > peak) peak = v;
      }
    }
    return { durationMs, voiced: peak >= SILENCE_PEAK };
  }

  #followSpeech(p: Pending): void {
    if (p.voiced) {
      this.#silentMs = 0;
      if (!this.#speaking) {
        this.#speaking = true;
        this.#events.speechStarted();
      }
      return;
    }
    if (!this.#speaking) return;
    this.#silentMs += p.durationMs;
    if (this.#silentMs >= SPEECH_END_MS) this.#stopSpeech();
  }

  #stopSpeech(): void {
    this.#silentMs = 0;
    if (!this.#speaking) return;
    this.#speaking = false;
    this.#events.speechStopped();
  }
}
