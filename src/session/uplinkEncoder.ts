/**
 * Caller audio → what the server gets (docs/DESIGN.md §5 uplink): captured frames at the channel rate
 * (any ptime, mono or interleaved stereo) → mix → accumulate exactly STREAM_BUFFER_SIZE ms →
 * encode → one message per chunk.
 *
 * - JSON mode: mono (stereo is downmixed: the Realtime API takes one channel), resampled to the
 *   session's input format — `audio/pcm` at 24 kHz, or G.711 μ-law/A-law at 8 kHz — then base64
 *   in `{"type":"input_audio_buffer.append","audio":…}`. A target with `channels: 2` (stereo
 *   asked of a server of the app's own, jsonUplinkFormat.ts) keeps stereo capture interleaved
 *   (PCM16 only).
 * - Raw mode: PCM16 little-endian at the send rate in a binary frame; stereo stays interleaved.
 *
 * Chunks are cut at the channel rate before resampling, so every chunk is the same duration
 * whatever the ptime (the seed lost a third of the audio at 30 ms ptime); a partial chunk carries
 * over to the next frame. All buffers are allocated when the target is configured; the per-chunk
 * allocations are the base64 string (text) or the frame copy `ws` needs (binary).
 */
import { Buffer } from 'node:buffer';
import { endianness } from 'node:os';
import { encodeAlaw, encodeMulaw } from '../audio/g711.js';
import { encodeBytesBase64, encodePcm16Base64 } from '../audio/pcm.js';
import { Resampler } from '../audio/resampler.js';
import type { WireFormat } from './sessionFormats.js';

/**
 * `appendType`: the client event that carries a chunk — `input_audio_buffer.append` (Realtime, the
 * default) or `session.input_audio.append` (GPT-Live); same shape, `{type, audio}`.
 */
export type UplinkTarget = { mode: 'json'; format: WireFormat; appendType?: string; channels?: 1 | 2 } | { mode: 'raw'; rate: number };

export interface UplinkSink {
  text(payload: string): void;
  binary(payload: Uint8Array): void;
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';
const REALTIME_APPEND = 'input_audio_buffer.append';
const APPEND_TAIL = '"}';

export class UplinkEncoder {
  readonly channelRate: number;
  readonly captureChannels: number;
  readonly bufferMs: number;
  /** Samples per channel in one chunk, at the channel rate. */
  readonly chunkFrames: number;
  readonly #sink: UplinkSink;
  #target: UplinkTarget | null = null;
  #appendHead = appendHead(REALTIME_APPEND);
  /** 1 (mono, or stereo downmixed for JSON) or 2 (raw or JSON-stereo, interleaved). */
  #outChannels = 1;
  #acc: Int16Array = new Int16Array(0);
  #accFrames = 0;
  #resamplers: Resampler[] = [];
  #planes: Int16Array[] = [];
  #resampled: Int16Array[] = [];
  #interleaved: Int16Array = new Int16Array(0);
  #g711: Uint8Array = new Uint8Array(0);
  #chunksSent = 0;
  #framesSent = 0;

  constructor(channelRate: number, captureChannels: number, bufferMs: number, sink: UplinkSink) {
    this.channelRate = channelRate;
    this.captureChannels = captureChannels;
    this.bufferMs = bufferMs;
    this.chunkFrames = Math.max(1, Math.round((channelRate * bufferMs) / 1000));
    this.#sink = sink;
  }

  get target(): UplinkTarget | null {
    return this.#target;
  }

  /** Chunks handed to the sink. */
  get chunksSent(): number {
    return this.#chunksSent;
  }

  /** Audio handed to the sink, in ms of caller audio. */
  get sentMs(): number {
    return (this.#framesSent * 1000) / this.channelRate;
  }

  /** Channels in each chunk sent (2: interleaved). */
  get outChannels(): number {
    return this.#outChannels;
  }

  /** True when stereo capture is mixed down to mono (JSON mode). */
  get downmixing(): boolean {
    return this.captureChannels === 2 && this.#outChannels === 1;
  }

  /** Sets the output (a new session format, raw send rate). Drops a partial chunk. */
  configure(target: UplinkTarget): void {
    this.#target = target;
    this.#appendHead = appendHead(target.mode === 'json' ? (target.appendType ?? REALTIME_APPEND) : REALTIME_APPEND);
    const twoChannels = target.mode === 'raw' || (target.channels === 2 && target.format.encoding === 'pcm');
    this.#outChannels = twoChannels ? this.captureChannels : 1;
    const outRate = target.mode === 'raw' ? target.rate : target.format.rate;
    this.#acc = new Int16Array(this.chunkFrames * this.#outChannels);
    this.#accFrames = 0;
    this.#resamplers = [];
    this.#planes = [];
    this.#resampled = [];
    for (let c = 0; c < this.#outChannels; c++) {
      const r = new Resampler(this.channelRate, outRate);
      this.#resamplers.push(r);
      this.#planes.push(new Int16Array(this.chunkFrames));
      this.#resampled.push(new Int16Array(r.maxOutputLength(this.chunkFrames)));
    }
    const maxOut = this.#resampled[0]!.length;
    this.#interleaved = new Int16Array(this.#outChannels === 2 ? maxOut * 2 : 0);
    this.#g711 = new Uint8Array(target.mode === 'json' && target.format.encoding !== 'pcm' ? maxOut : 0);
  }

  /** Captured samples (interleaved when stereo) at the channel rate. */
  push(samples: Int16Array, length: number): void {
    if (this.#target === null) return;
    const inCh = this.captureChannels;
    const outCh = this.#outChannels;
    const frames = Math.floor(length / inCh);
    const acc = this.#acc;
    let f = 0;
    while (f < frames) {
      const n = Math.min(frames - f, this.chunkFrames - this.#accFrames);
      if (inCh === outCh) {
        acc.set(samples.subarray(f * inCh, (f + n) * inCh), this.#accFrames * outCh);
      } else {
        // Stereo → mono: the average of both legs (no clipping possible).
        let o = this.#accFrames;
        for (let i = f; i < f + n; i++, o++) acc[o] = (samples[2 * i]! + samples[2 * i + 1]!) >> 1;
      }
      this.#accFrames += n;
      f += n;
      if (this.#accFrames === this.chunkFrames) this.#emit(this.chunkFrames);
    }
  }

  /** Sends what is accumulated now (end of stream), even if shorter than a chunk. */
  flush(): void {
    if (this.#target !== null && this.#accFrames > 0) this.#emit(this.#accFrames);
  }

  /** Forgets the partial chunk and the resamplers' history (audio that will never be sent). */
  discard(): void {
    this.#accFrames = 0;
    for (const r of this.#resamplers) r.reset();
  }

  #emit(frames: number): void {
    const target = this.#target!;
    const outCh = this.#outChannels;
    let produced = 0;
    if (outCh === 1) {
      produced = this.#resamplers[0]!.process(this.#acc, frames, this.#resampled[0]!);
    } else {
      const left = this.#planes[0]!;
      const right = this.#planes[1]!;
      for (let i = 0; i < frames; i++) {
        left[i] = this.#acc[2 * i]!;
        right[i] = this.#acc[2 * i + 1]!;
      }
      produced = this.#resamplers[0]!.process(left, frames, this.#resampled[0]!);
      this.#resamplers[1]!.process(right, frames, this.#resampled[1]!);
      const l = this.#resampled[0]!;
      const r = this.#resampled[1]!;
      const out = this.#interleaved;
      for (let i = 0; i < produced; i++) {
        out[2 * i] = l[i]!;
        out[2 * i + 1] = r[i]!;
      }
    }
    this.#accFrames = 0;
    this.#chunksSent++;
    this.#framesSent += frames;
    if (target.mode === 'json') {
      const pcm = this.#resampled[0]!;
      let audio: string;
      if (outCh === 2) audio = encodePcm16Base64(this.#interleaved, produced * 2);
      else if (target.format.encoding === 'pcm') audio = encodePcm16Base64(pcm, produced);
      else if (target.format.encoding === 'pcmu') audio = encodeBytesBase64(this.#g711, encodeMulaw(pcm, produced, this.#g711));
      else audio = encodeBytesBase64(this.#g711, encodeAlaw(pcm, produced, this.#g711));
      this.#sink.text(this.#appendHead + audio + APPEND_TAIL);
      return;
    }
    const source = outCh === 1 ? this.#resampled[0]! : this.#interleaved;
    const count = produced * outCh;
    // A copy: ws may keep the buffer while it compresses or waits for the socket.
    const bytes = Buffer.from(new Uint8Array(source.buffer, source.byteOffset, count * 2));
    if (!LITTLE_ENDIAN_HOST) bytes.swap16();
    this.#sink.binary(bytes);
  }
}

/** The text before the base64 audio, built once per target (the type is one of the module's own names). */
function appendHead(type: string): string {
  return `{"type":${JSON.stringify(type)},"audio":"`;
}
