/**
 * GPT-Live's output track on the engine's Playout: one continuous real-time stream (about 100 ms a
 * delta, silence between replies, no ids), played through a small jitter buffer.
 *
 *   delta ─► (priming: whole frames of silence before it) ─► Playout (decoder, queue, ring top-up) ─► media thread
 *
 * - Priming (liveJitterBuffer.ts): when a delta finds nothing playable (the first one, or after the
 *   buffer ran dry), silence goes before it so its first sample is taken by the media thread
 *   `startDelayMs` (40 ms by default) ± half a ptime after it arrived, on the channel's own frame
 *   clock (`msSincePlaybackTick`). That margin absorbs network jitter; it is also how far the caller
 *   lags the model's timeline, so it stays small. Nothing is held back by a timer: the delay is
 *   fixed the moment the delta arrives, however late the event loop runs afterwards.
 * - Never faster than real time: the Playout moves audio into the ring only as the media thread
 *   plays it, and the Live server sends in real time.
 * - A standing lag (a late delta followed by punctual ones leaves the buffer fuller for good) is
 *   trimmed: when every delta of a window (`trimWindow`, about a second) would be heard later than
 *   priming allows, whole frames of the excess are dropped from the JS queue.
 * - The channel's own audio takes precedence as for Realtime (the media thread decides; nothing here).
 *
 * What the caller hears is followed from the ring's played position: the delay from each delta's
 * arrival to its first sample taken by the media thread (the figure `openai_realtime status` and
 * the bench report; the take is dated by the media thread's last frame, not by when JS noticed), and
 * speech start/stop — the model's voice in the track, judged from the audio: a delta louder than
 * silence starts speech when it is played; `SPEECH_END_MS` of silent track played ends it.
 */
import { Buffer } from 'node:buffer';
import { decodeAlaw, decodeMulaw } from '../../audio/g711.js';
import type { MediaChannel } from '../../media/mediaChannel.js';
import { DEFAULT_LIVE_PLAYOUT_DELAY_MS } from '../../config/moduleSettings.js';
import type { DeltaResult, Playout } from '../playout.js';
import type { WireFormat } from '../sessionFormats.js';
import { expectedDelayMs, type FrameClock, nextFrameInMs, primeFrames, ptimeMs, StandingLag, TRIM_WINDOW } from './liveJitterBuffer.js';

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
  #format: WireFormat = { encoding: 'pcm', rate: 24000 };
  readonly #pending: Pending[] = [];
  readonly #delays: number[] = [];
  readonly #lag: StandingLag;
  #scratch = new Int16Array(0);
  #speaking = false;
  #silentMs = 0;
  #primes = 0;
  #trimmedMs = 0;
  /** Nothing has been played since the start or a reset. */
  #needsPrime = true;
  /** The media thread's gap count when the last delta came. */
  #gaps = 0;
  #deltas = 0;

  /** `now`: the clock (ms) deltas are dated by; the media thread's tick is read relative to it. */
  constructor(playout: Playout, port: MediaChannel, options: { startDelayMs?: number; events: LiveTrackEvents; now?: () => number }) {
    this.#playout = playout;
    this.#port = port;
    this.#events = options.events;
    this.startDelayMs = Math.max(0, options.startDelayMs ?? DEFAULT_LIVE_PLAYOUT_DELAY_MS);
    this.#now = options.now ?? (() => performance.now());
    this.#lag = new StandingLag(this.startDelayMs, TRIM_WINDOW);
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
    const clock = this.#clock();
    if (this.#ranDry()) {
      // The track ran dry: prime, so this delta is taken startDelayMs (± half a ptime) from now.
      this.#primes++;
      this.#lag.restart();
      this.#playout.padSilence(primeFrames(this.startDelayMs, clock) * clock.frameSamples);
      return this.#play(delta, now);
    }
    const delayMs = expectedDelayMs(this.#waitingSamples(), clock);
    const result = this.#play(delta, now);
    const frames = this.#lag.observe(delayMs, ptimeMs(clock));
    if (frames > 0) {
      // Dropped from the JS queue (what is in the ring plays): the oldest audio not yet in the ring.
      const dropped = this.#playout.dropQueued(frames * clock.frameSamples);
      this.#trimmedMs += (dropped * 1000) / clock.sampleRate;
      // What was queued behind the dropped audio now goes into the ring that much sooner.
      const head = this.#port.writtenPosition();
      for (const p of this.#pending) if (p.position > head) p.position = Math.max(head, p.position - dropped);
    }
    return result;
  }

  /** Room in the ring (at least every 10 ms): follow what was played. */
  onRoom(): void {
    const now = this.#now();
    this.#playout.onRoom();
    const played = this.#port.playedPosition();
    if (this.#pending.length === 0 || played <= this.#pending[0]!.position) return;
    // The frame was taken at the media thread's last tick at the latest (JS may notice later).
    const since = this.#port.msSincePlaybackTick();
    const takenAt = since >= 0 ? now - since : now;
    while (this.#pending.length > 0 && played > this.#pending[0]!.position) {
      const p = this.#pending.shift()!;
      if (this.#delays.length >= DELAY_SAMPLES) this.#delays.shift();
      this.#delays.push(Math.max(0, Math.round(takenAt - p.arrivalMs)));
      this.#followSpeech(p);
    }
  }

  /** The socket dropped or the session ended: what was held goes; speech, if any, has stopped. */
  reset(): void {
    this.#needsPrime = true;
    this.#pending.length = 0;
    this.#lag.restart();
    this.#playout.endCurrent();
    this.#stopSpeech();
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

  /** Samples waiting to be played ahead of anything queued now (JS queue and ring, a partial frame included). */
  #waitingSamples(): number {
    return this.#port.released ? 0 : this.#playout.queuedSamples + this.#port.playbackQueued();
  }

  /**
   * The first delta, the first after a reset, or the media thread found nothing to play since the
   * last delta (a gap the caller heard). A delta that arrives late but before the frame that needs
   * it keeps the track continuous: priming then would put silence into the middle of the audio.
   */
  #ranDry(): boolean {
    if (this.#port.released) return true;
    const gaps = this.#gapCount();
    const dry = this.#needsPrime || (gaps !== this.#gaps && this.#waitingSamples() < this.#port.frameSamples);
    this.#gaps = gaps;
    this.#needsPrime = false;
    return dry;
  }

  /** Frames the media thread wanted and found no audio for (ours or the server's), as it counts them. */
  #gapCount(): number {
    const stats = this.#port.stats();
    return stats ? stats.underruns + stats.serverGaps : 0;
  }

  #clock(): FrameClock {
    const rate = this.#port.sampleRate;
    const frameSamples = this.#port.frameSamples;
    return { frameSamples, sampleRate: rate, nextFrameInMs: nextFrameInMs(this.#port.msSincePlaybackTick(), ptimeMs({ frameSamples, sampleRate: rate })) };
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
