/**
 * The simulator's server VAD: RMS energy over 10 ms windows against a threshold, in **audio time**
 * (samples appended), never wall-clock time, so a test that appends audio as fast as it can gets
 * the same events as one that paces it at 20 ms.
 *
 * OpenAI's server_vad is a model, not an energy gate; what the simulator keeps is the contract:
 * - `speech_started.audio_start_ms` is the onset minus `prefix_padding_ms` (it "includes the
 *   prefix padding"), never earlier than the start of the uncommitted buffer;
 * - `speech_stopped.audio_end_ms` is the end of speech plus `silence_duration_ms` ("includes the
 *   silence duration"), i.e. the audio time at which the silence became long enough;
 * - a higher `threshold` needs louder audio.
 */

export interface VadSettings {
  /** 0..1 as on the wire; mapped linearly to −70 dBFS (0) … −10 dBFS (1); 0.5 → −40 dBFS. */
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
}

export type VadEvent =
  | { type: 'speech_started'; audioStartMs: number }
  | { type: 'speech_stopped'; audioEndMs: number };

export const VAD_WINDOW_MS = 10;

/** Voiced audio must last this long before it counts as speech (rejects clicks). */
export const MIN_SPEECH_MS = 30;

export function thresholdToDbfs(threshold: number): number {
  return -70 + 60 * Math.min(1, Math.max(0, threshold));
}

export class EnergyVad {
  #settings: VadSettings;
  #thresholdDbfs: number;

  // The window being accumulated.
  #windowRate = 0;
  #windowStartMs = 0;
  #windowSamples = 0;
  #windowSumSquares = 0;

  #speaking = false;
  /** Start of the current run of voiced windows while not speaking, or -1. */
  #voicedRunStartMs = -1;
  #silenceMs = 0;
  /** Padding never reaches back before this (audio already committed or cleared). */
  #floorMs = 0;

  constructor(settings: VadSettings) {
    this.#settings = settings;
    this.#thresholdDbfs = thresholdToDbfs(settings.threshold);
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** New settings apply from the next window; an ongoing speech segment continues. */
  configure(settings: VadSettings): void {
    this.#settings = settings;
    this.#thresholdDbfs = thresholdToDbfs(settings.threshold);
  }

  /**
   * Forget any speech in progress; the buffer now starts at `audioMs` (after a clear or a
   * manual commit).
   */
  reset(audioMs: number): void {
    this.#speaking = false;
    this.#voicedRunStartMs = -1;
    this.#silenceMs = 0;
    this.#floorMs = audioMs;
  }

  /**
   * Feed samples whose first sample sits at `startMs` of session audio time. Returns the events
   * in audio-time order, each with the audio time (`atMs`) at which it was detected, so the
   * caller can keep its own buffer accounting in step.
   */
  process(samples: Int16Array, sampleRate: number, startMs: number): Array<VadEvent & { atMs: number }> {
    const events: Array<VadEvent & { atMs: number }> = [];
    if (sampleRate !== this.#windowRate) {
      // A format change mid-window: drop the partial window rather than mix two rates.
      this.#windowRate = sampleRate;
      this.#windowSamples = 0;
      this.#windowSumSquares = 0;
    }
    const windowLength = (sampleRate * VAD_WINDOW_MS) / 1000;
    for (let i = 0; i < samples.length; i++) {
      if (this.#windowSamples === 0) this.#windowStartMs = startMs + (i * 1000) / sampleRate;
      const s = samples[i]!;
      this.#windowSumSquares += s * s;
      this.#windowSamples++;
      if (this.#windowSamples >= windowLength) {
        const rms = Math.sqrt(this.#windowSumSquares / this.#windowSamples);
        const endMs = this.#windowStartMs + (this.#windowSamples * 1000) / sampleRate;
        const event = this.#onWindow(this.#windowStartMs, endMs, rms);
        if (event) events.push({ ...event, atMs: endMs });
        this.#windowSamples = 0;
        this.#windowSumSquares = 0;
      }
    }
    return events;
  }

  #onWindow(startMs: number, endMs: number, rms: number): VadEvent | undefined {
    const dbfs = rms > 0 ? 20 * Math.log10(rms / 32768) : -Infinity;
    const voiced = dbfs >= this.#thresholdDbfs;
    const durationMs = endMs - startMs;
    if (!this.#speaking) {
      if (!voiced) {
        this.#voicedRunStartMs = -1;
        return undefined;
      }
      if (this.#voicedRunStartMs < 0) this.#voicedRunStartMs = startMs;
      if (endMs - this.#voicedRunStartMs + 1e-6 < MIN_SPEECH_MS) return undefined;
      this.#speaking = true;
      this.#silenceMs = 0;
      const audioStartMs = Math.max(this.#floorMs, this.#voicedRunStartMs - this.#settings.prefixPaddingMs);
      this.#voicedRunStartMs = -1;
      return { type: 'speech_started', audioStartMs: Math.round(audioStartMs) };
    }
    if (voiced) {
      this.#silenceMs = 0;
      return undefined;
    }
    this.#silenceMs += durationMs;
    if (this.#silenceMs + 1e-6 < this.#settings.silenceDurationMs) return undefined;
    this.#speaking = false;
    this.#silenceMs = 0;
    this.#floorMs = endMs;
    return { type: 'speech_stopped', audioEndMs: Math.round(endMs) };
  }
}
