/**
 * The engine's uplink: caller audio from the capture ring to the socket.
 *
 *   captured samples ─► gate ─► UplinkEncoder (chunks of STREAM_BUFFER_SIZE ms, resampled, encoded)
 *   ─► UplinkBacklog (is the server reading?) ─► socket
 *
 * The gate lets audio through only while the stream is not paused, the caller not muted, the socket
 * open, the uplink open (audio stream: at once; s2s: after the first `session.update`) and no
 * input-format change is waiting for its `session.updated`. Audio the gate holds back is dropped
 * and counted, never sent later as a burst; so is what sat in the capture ring when the gate opened.
 */
import { encodeAlaw, encodeMulaw } from '../audio/g711.js';
import { encodeBytesBase64, encodePcm16Base64 } from '../audio/pcm.js';
import type { MediaChannel } from '../media/mediaChannel.js';
import type { Logger } from '../runtime/logger.js';
import type { UplinkTransport } from './engineTransport.js';
import { UplinkBacklog } from './uplinkBacklog.js';
import { UplinkEncoder, type UplinkTarget } from './uplinkEncoder.js';

/** `mute user` sends this much silence so the server's VAD ends the caller's turn (seed #22, docs/seed-modules.md §1). */
export const MUTE_SILENCE_MS = 1000;
/** How long the uplink waits for `session.updated` after an input-format change before resuming. */
export const FORMAT_CHANGE_WAIT_MS = 2_000;

export interface UplinkOptions {
  /** Chunk duration (STREAM_BUFFER_SIZE, resolved against the ptime). */
  bufferMs: number;
  /** uplink-backlog-ms: the most caller audio that may wait in the socket. */
  backlogMs: number;
  /** Open from the start (audio stream), or only once {@link Uplink.open} is called (s2s). */
  openAtStart: boolean;
  mutedUser: boolean;
  log: Logger;
}

export class Uplink {
  readonly #port: MediaChannel;
  readonly #transport: UplinkTransport;
  readonly #log: Logger;
  readonly #encoder: UplinkEncoder;
  readonly #backlog: UplinkBacklog;
  readonly #backlogMs: number;
  #open: boolean;
  #paused = false;
  #mutedUser: boolean;
  #formatPendingSince = 0;
  /** Samples still in the capture ring when the uplink (re)opened: captured before, so never sent. */
  #skipCaptured = 0;
  #droppedSamples = 0;
  #backlogDrops = 0;

  constructor(port: MediaChannel, transport: UplinkTransport, options: UplinkOptions) {
    this.#port = port;
    this.#transport = transport;
    this.#log = options.log;
    this.#open = options.openAtStart;
    this.#mutedUser = options.mutedUser;
    this.#backlogMs = options.backlogMs;
    this.#encoder = new UplinkEncoder(port.sampleRate, port.captureChannels, options.bufferMs, {
      text: (payload) => this.#send(payload),
      binary: (payload) => this.#send(payload),
    });
    this.#backlog = new UplinkBacklog(options.backlogMs, options.bufferMs);
  }

  /** What the chunks are encoded as (JSON with the session's input format, or raw PCM16). */
  configure(target: UplinkTarget): void {
    this.#encoder.configure(target);
  }

  /** Stereo capture mixed down to mono (JSON mode takes one channel). */
  get downmixing(): boolean {
    return this.#encoder.downmixing;
  }

  /** Captured audio at the channel rate. */
  push(samples: Int16Array, length: number): void {
    if (this.#paused || this.#mutedUser) return;
    if (this.#formatPendingSince !== 0 && Date.now() - this.#formatPendingSince > FORMAT_CHANGE_WAIT_MS) {
      this.#formatPendingSince = 0;
    }
    if (!this.#transport.isOpen || !this.#open || this.#formatPendingSince !== 0) {
      // Never sent later as a burst: dropped and counted.
      this.#droppedSamples += length / this.#port.captureChannels;
      this.#encoder.discard();
      return;
    }
    if (this.#skipCaptured > 0) {
      const stale = Math.min(this.#skipCaptured, length);
      this.#skipCaptured -= stale;
      this.#droppedSamples += stale / this.#port.captureChannels;
      if (stale === length) return;
      this.#encoder.push(samples.subarray(stale), length - stale);
      return;
    }
    this.#encoder.push(samples, length);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Caller audio flows from now on; nothing captured before this moment is sent (no stale burst). */
  open(): void {
    this.#open = true;
    this.#encoder.discard();
    this.#skipStaleCapture();
  }

  /** A (new) socket opened: nothing captured before it is sent on it. */
  socketOpened(): void {
    this.#encoder.discard();
    this.#skipStaleCapture();
  }

  /** The socket dropped: the partial chunk goes, and no format change is awaited any more. */
  socketClosed(): void {
    this.#encoder.discard();
    this.#formatPendingSince = 0;
  }

  /** A `session.update` changing the input format went out: hold audio until its answer (at most 2 s). */
  formatChangeSent(): void {
    this.#formatPendingSince = Date.now();
  }

  /** The server answered (`session.updated`) or refused (`error`): audio flows in the format in force. */
  formatSettled(): void {
    this.#formatPendingSince = 0;
  }

  /** Like the seed module's bug flush: nothing captured before a pause or resume is sent after it. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    this.#encoder.discard();
  }

  get paused(): boolean {
    return this.#paused;
  }

  get mutedUser(): boolean {
    return this.#mutedUser;
  }

  /** `mute user` / `unmute user`. Muting sends a second of silence so the server's VAD ends the turn. */
  setMutedUser(muted: boolean): void {
    if (this.#mutedUser === muted) {
      this.#log.info(`User audio is already ${muted ? 'muted' : 'unmuted'}`);
      return;
    }
    this.#mutedUser = muted;
    this.#encoder.discard();
    this.#log.info(muted ? 'User audio muted' : 'User audio unmuted');
    if (!muted) return;
    if (!this.#transport.isOpen) {
      this.#log.debug('not connected: no silence sent after mute');
      return;
    }
    this.#sendSilence(MUTE_SILENCE_MS);
  }

  /** Sends the partial chunk now (before a `stop`). */
  flush(): void {
    if (this.#open) this.#encoder.flush();
  }

  discard(): void {
    this.#encoder.discard();
  }

  /** The uplink's figures for `openai_realtime status`. */
  status(rate: number): Record<string, number> {
    return {
      uplinkChunks: this.#encoder.chunksSent,
      uplinkMs: Math.round(this.#encoder.sentMs),
      droppedUplinkMs: Math.round((this.#droppedSamples * 1000) / rate),
      uplinkBacklogDrops: this.#backlogDrops,
      uplinkBacklogDroppedMs: Math.round(this.#backlog.droppedMs),
      uplinkBacklogStalls: this.#backlog.episodes,
      socketBufferedMaxBytes: this.#backlog.maxBufferedBytes,
    };
  }

  /** What sits in the capture ring now was captured before now: it is dropped as it is read. */
  #skipStaleCapture(): void {
    this.#skipCaptured = this.#port.released ? 0 : (this.#port.stats()?.captureQueued ?? 0);
  }

  #send(payload: string | Uint8Array): void {
    // The server is not reading: sending more would only grow memory (uplink-backlog-ms).
    const bytes = payload.length;
    const waiting = this.#transport.bufferedAmount;
    switch (this.#backlog.admit(bytes, waiting)) {
      case 'drop-first':
        this.#log.warning(
          `the server is not reading: caller audio is dropped while more than ${this.#backlogMs} ms of it ` +
            `(${this.#backlog.capBytes(bytes)} bytes) waits in the socket`,
        );
        this.#backlogDrops++;
        return;
      case 'drop':
        this.#backlogDrops++;
        return;
      case 'send-after-drops':
        this.#log.notice(`the server reads again: ${this.#backlog.takeEpisodeDroppedMs()} ms of caller audio were dropped meanwhile`);
        break;
      case 'send':
        break;
    }
    if (typeof payload === 'string') this.#transport.sendText(payload);
    else this.#transport.sendBinary(payload);
  }

  /** One append of silence in the uplink's current encoding. */
  #sendSilence(ms: number): void {
    const target = this.#encoder.target;
    if (!target) return;
    if (target.mode === 'raw') {
      const channels = this.#encoder.downmixing ? 1 : this.#port.captureChannels;
      this.#transport.sendBinary(new Uint8Array(Math.round((target.rate * ms) / 1000) * channels * 2));
      return;
    }
    const zeros = new Int16Array(Math.round((target.format.rate * ms) / 1000) * this.#encoder.outChannels);
    let audio: string;
    if (target.format.encoding === 'pcm') {
      audio = encodePcm16Base64(zeros, zeros.length);
    } else {
      const bytes = new Uint8Array(zeros.length);
      const encode = target.format.encoding === 'pcmu' ? encodeMulaw : encodeAlaw;
      audio = encodeBytesBase64(bytes, encode(zeros, zeros.length, bytes));
    }
    this.#transport.sendText(JSON.stringify({ type: 'input_audio_buffer.append', audio }));
  }
}
