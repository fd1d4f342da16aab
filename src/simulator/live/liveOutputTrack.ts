/**
 * The Live model's output as the simulator plays it: one continuous track from `session.started`
 * to the end, one delta every `chunkMs` (100 ms, as measured on the real service), paced in real
 * time, silence between replies. Speech is queued utterances; an interruption drops what is left
 * of them at once (the model stops itself; the client never sends truncate or cancel).
 *
 * The track also produces the output transcript: the words of an utterance are spread evenly over
 * its audio, and each delta carries the words whose start falls inside it, so an interrupted
 * reply has exactly the transcript of what was played.
 *
 * The session timeline advances with input audio (docs/gpt-live.md): `canAdvance(trackMs)` lets
 * the connection hold the track when the client stops sending audio, and the track then pauses
 * rather than catching up in a burst.
 */
import { Resampler } from '../../audio/resampler.js';
import type { Utterance, UtteranceSituation } from '../assistantVoice.js';
import { encodeAudio, PCM_FORMAT } from '../audioFormats.js';
import type { SimAudioFormat } from './liveSessionStart.js';

export interface SpokenRecord {
  situation: UtteranceSituation;
  transcript: string;
  /** Track time of the first sample, ms since session.started. */
  startedAtMs: number;
  /** Audio actually played, ms. */
  spokenMs: number;
  durationMs: number;
  interrupted: boolean;
  /** The words sent as output transcript fragments. */
  transcriptSent: string;
}

export interface TrackChunk {
  audioBase64: string;
  startMs: number;
  endMs: number;
  /** Words that started in this chunk (with their leading space), if any. */
  transcript: string | undefined;
  speaking: boolean;
}

interface Queued {
  record: SpokenRecord;
  samples: Int16Array;
  position: number;
  words: string[];
  nextWord: number;
}

/** Silence-only bursts larger than this are never sent at once after a timer hiccup. */
const MAX_CATCH_UP_CHUNKS = 5;

export function renderAt(utterance: Utterance, rate: 8000 | 16000 | 24000): Int16Array {
  if (rate !== 16000) return utterance.render(rate);
  const source = utterance.render(24000);
  const resampler = new Resampler(24000, 16000);
  const out = new Int16Array(resampler.maxOutputLength(source.length));
  return out.slice(0, resampler.process(source, source.length, out));
}

export class LiveOutputTrack {
  readonly spoken: SpokenRecord[] = [];
  readonly #format: SimAudioFormat;
  readonly #chunkMs: number;
  readonly #samplesPerChunk: number;
  readonly #silence: string;
  readonly #emit: (chunk: TrackChunk) => void;
  readonly #canAdvance: (trackMs: number) => boolean;
  readonly #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #sentChunks = 0;
  #heldSince: number | undefined;
  #running = false;

  constructor(options: { format: SimAudioFormat; chunkMs: number; emit: (chunk: TrackChunk) => void; canAdvance: (trackMs: number) => boolean }) {
    this.#format = options.format;
    this.#chunkMs = options.chunkMs;
    this.#samplesPerChunk = Math.round((options.format.rate * options.chunkMs) / 1000);
    this.#silence = Buffer.from(this.#encode(new Int16Array(this.#samplesPerChunk))).toString('base64');
    this.#emit = options.emit;
    this.#canAdvance = options.canAdvance;
  }

  get speaking(): boolean {
    return this.#queue.length > 0;
  }

  /** Output sent so far, ms of track time. */
  get trackMs(): number {
    return this.#sentChunks * this.#chunkMs;
  }

  get deltasSent(): number {
    return this.#sentChunks;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#startedAt = Date.now();
    this.#tick();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    for (const queued of this.#queue.splice(0)) queued.record.interrupted = queued.position < queued.samples.length;
  }

  speak(situation: UtteranceSituation, utterance: Utterance): SpokenRecord {
    const samples = renderAt(utterance, this.#format.rate);
    const record: SpokenRecord = {
      situation,
      transcript: utterance.transcript,
      startedAtMs: -1,
      spokenMs: 0,
      durationMs: (samples.length * 1000) / this.#format.rate,
      interrupted: false,
      transcriptSent: '',
    };
    this.spoken.push(record);
    this.#queue.push({ record, samples, position: 0, words: utterance.transcript.split(/\s+/).filter(Boolean), nextWord: 0 });
    return record;
  }

  /** The caller barged in: everything not yet played is dropped. Returns what was cut. */
  interrupt(): SpokenRecord[] {
    const cut = this.#queue.splice(0);
    for (const queued of cut) queued.record.interrupted = true;
    return cut.map((queued) => queued.record);
  }

  #tick(): void {
    if (!this.#running) return;
    const now = Date.now();
    if (!this.#canAdvance(this.trackMs)) {
      this.#heldSince ??= now;
    } else {
      if (this.#heldSince !== undefined) {
        // Resume where the track stopped: time spent held is not owed as a burst.
        this.#startedAt += now - this.#heldSince;
        this.#heldSince = undefined;
      }
      const due = Math.floor((now - this.#startedAt) / this.#chunkMs) + 1;
      let sent = 0;
      while (this.#running && this.#sentChunks < due && sent < MAX_CATCH_UP_CHUNKS && this.#canAdvance(this.trackMs)) {
        this.#emitChunk();
        sent++;
      }
      if (this.#sentChunks < due - MAX_CATCH_UP_CHUNKS) this.#startedAt = now - this.#sentChunks * this.#chunkMs;
    }
    if (!this.#running) return;
    const next = this.#heldSince !== undefined ? now + Math.min(20, this.#chunkMs) : this.#startedAt + this.#sentChunks * this.#chunkMs;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - Date.now()));
  }

  #emitChunk(): void {
    const startMs = this.trackMs;
    const current = this.#queue[0];
    this.#sentChunks++;
    if (!current) {
      this.#emit({ audioBase64: this.#silence, startMs, endMs: startMs + this.#chunkMs, transcript: undefined, speaking: false });
      return;
    }
    if (current.record.startedAtMs < 0) current.record.startedAtMs = startMs;
    const chunk = new Int16Array(this.#samplesPerChunk);
    const take = Math.min(this.#samplesPerChunk, current.samples.length - current.position);
    chunk.set(current.samples.subarray(current.position, current.position + take));
    current.position += take;
    current.record.spokenMs = (current.position * 1000) / this.#format.rate;
    // Words start evenly spaced over the utterance; send those that start in this chunk.
    let transcript = '';
    while (current.nextWord < current.words.length && (current.nextWord * current.samples.length) / current.words.length < current.position) {
      transcript += `${current.nextWord === 0 ? '' : ' '}${current.words[current.nextWord]!}`;
      current.nextWord++;
    }
    current.record.transcriptSent += transcript;
    if (current.position >= current.samples.length) this.#queue.shift();
    this.#emit({
      audioBase64: Buffer.from(this.#encode(chunk)).toString('base64'),
      startMs,
      endMs: startMs + this.#chunkMs,
      transcript: transcript === '' ? undefined : transcript,
      speaking: true,
    });
  }

  #encode(samples: Int16Array): Uint8Array {
    // The simulator's own codec (src/simulator/g711Codec.ts), never the module's.
    return encodeAudio(this.#format.type === 'audio/pcm' ? PCM_FORMAT : { type: this.#format.type }, samples);
  }
}
