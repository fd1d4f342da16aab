/**
 * The deterministic test voice: every response is the same sine tone, so a test can find the
 * assistant's audio in a recording by frequency, level and duration.
 */
import type { AssistantVoice, Utterance } from './assistantVoice.js';

export interface ToneVoiceOptions {
  /** Default 440 Hz. */
  frequencyHz?: number;
  /** Default 2000 ms. */
  durationMs?: number;
  /** Peak level in dBFS. Default −12 dBFS (amplitude 0.251 of full scale). */
  levelDbfs?: number;
  /** Default "This is a test tone." */
  transcript?: string;
}

/** Short raised-cosine ramps keep the edges from clicking without blurring the tone's timing. */
const RAMP_MS = 5;

export class ToneVoice implements AssistantVoice {
  readonly label: string;
  readonly frequencyHz: number;
  readonly durationMs: number;
  readonly levelDbfs: number;
  readonly transcript: string;
  readonly #cache = new Map<number, Int16Array>();

  constructor(options: ToneVoiceOptions = {}) {
    this.frequencyHz = options.frequencyHz ?? 440;
    this.durationMs = options.durationMs ?? 2000;
    this.levelDbfs = options.levelDbfs ?? -12;
    this.transcript = options.transcript ?? 'This is a test tone.';
    this.label = `tone ${this.frequencyHz} Hz`;
  }

  utteranceFor(): Utterance {
    return { transcript: this.transcript, render: (rate) => this.#render(rate) };
  }

  #render(sampleRate: number): Int16Array {
    const cached = this.#cache.get(sampleRate);
    if (cached) return cached;
    const length = Math.round((this.durationMs * sampleRate) / 1000);
    const amplitude = 32767 * 10 ** (this.levelDbfs / 20);
    const ramp = Math.min(Math.round((RAMP_MS * sampleRate) / 1000), length >> 1);
    const out = new Int16Array(length);
    for (let i = 0; i < length; i++) {
      let gain = 1;
      if (i < ramp) gain = 0.5 - 0.5 * Math.cos((Math.PI * i) / ramp);
      else if (i >= length - ramp) gain = 0.5 - 0.5 * Math.cos((Math.PI * (length - 1 - i)) / ramp);
      out[i] = Math.round(amplitude * gain * Math.sin((2 * Math.PI * this.frequencyHz * i) / sampleRate));
    }
    this.#cache.set(sampleRate, out);
    return out;
  }
}
