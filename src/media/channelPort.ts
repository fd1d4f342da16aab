/**
 * One attached media hook as JS sees it: the capture ring to read, the playback ring to fill, and
 * the counters the media thread keeps. A thin, allocation-free wrapper over the bridge.
 */
import type { AttachedChannel, ChannelStats, NativeBridge, PlaybackModeValue } from '../bridge.js';
import type { MediaChannel } from './mediaChannel.js';

export class ChannelPort implements MediaChannel {
  readonly id: number;
  readonly uuid: string;
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly captureChannels: number;
  readonly captureCapacity: number;
  readonly playbackCapacity: number;
  readonly #bridge: NativeBridge;
  readonly #info = new Float64Array(5);
  #released = false;
  #lastStats: ChannelStats | undefined;
  /** Inside one pump turn the playback figures are read once: only JS writes the ring, and the media
   *  thread only drains it, so a value read at the start of the turn errs on the side of "fuller". */
  #inTurn = false;
  #cached = false;

  constructor(bridge: NativeBridge, uuid: string, attached: AttachedChannel) {
    this.#bridge = bridge;
    this.uuid = uuid;
    this.id = attached.id;
    this.sampleRate = attached.sampleRate;
    this.frameSamples = attached.frameSamples;
    this.captureChannels = attached.captureChannels;
    this.captureCapacity = attached.captureCapacity;
    this.playbackCapacity = attached.playbackCapacity;
  }

  /** Queues samples for the caller; returns how many fit in the ring. */
  write(samples: Int16Array, length = samples.length): number {
    if (this.#released) return 0;
    const written = this.#bridge.write(this.id, samples, length);
    if (this.#cached) {
      this.#info[0]! += written;
      this.#info[1]! -= written;
      this.#info[3]! += written;
    }
    return written;
  }

  /** Samples queued in the playback ring, not yet played. */
  playbackQueued(): number {
    return this.#refresh() ? this.#info[0]! : 0;
  }

  /** Free room in the playback ring, in samples. */
  playbackFree(): number {
    return this.#refresh() ? this.#info[1]! : 0;
  }

  /** Samples the media thread has taken from the ring since the hook was attached (played or flushed). */
  playedPosition(): number {
    return this.#refresh() ? this.#info[2]! : 0;
  }

  /** Samples written into the ring since the hook was attached. */
  writtenPosition(): number {
    return this.#refresh() ? this.#info[3]! : 0;
  }

  /** Milliseconds since the media thread last asked for a frame; -1 before it first asked (or released). */
  msSincePlaybackTick(): number {
    return this.#refresh() ? this.#info[4]! : -1;
  }

  /** Drops all queued playback at once; returns the played position at the moment of the flush. */
  flush(): number {
    this.#cached = false;
    return this.#released ? 0 : this.#bridge.flushPlayback(this.id);
  }

  /** @internal The pump opens a turn around a session's top-up so its reads share one native call. */
  beginTurn(): void {
    this.#inTurn = true;
    this.#cached = false;
  }

  /** @internal Outside a turn every read asks the bridge (the media thread moves on meanwhile). */
  endTurn(): void {
    this.#inTurn = false;
    this.#cached = false;
  }

  /** Tells the media thread what an empty ring is from now on: silence, an underrun or a server gap. */
  setPlaybackMode(mode: PlaybackModeValue): void {
    if (!this.#released) this.#bridge.setPlaybackMode(this.id, mode);
  }

  /** The counters; once released, the last ones the host had (so a session's totals outlive its hook). */
  stats(): ChannelStats | undefined {
    return this.#released ? this.#lastStats : this.#bridge.stats(this.id);
  }

  /** Asks the host to remove the media hook; the pump then reports the channel closed. */
  detach(): void {
    if (!this.#released) this.#bridge.detach(this.id);
  }

  get released(): boolean {
    return this.#released;
  }

  /** @internal Called by the pump once the channel is closed and drained. */
  markReleased(lastStats?: ChannelStats): void {
    this.#lastStats = lastStats;
    this.#released = true;
  }

  #refresh(): boolean {
    if (this.#released) return false;
    if (this.#cached) return true;
    const ok = this.#bridge.playbackInfo(this.id, this.#info);
    this.#cached = ok && this.#inTurn;
    return ok;
  }
}
