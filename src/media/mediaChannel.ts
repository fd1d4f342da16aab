/**
 * The seam between a session and its channel's media hook: what the engine reads and writes of the
 * two rings, and how it asks for a hook. {@link ChannelPort} and {@link MediaPump} implement it over
 * the native bridge; the engine's unit tests implement it with rings in memory (test/helpers/
 * memoryChannel.ts), so every part of the engine runs without the addon.
 */
import type { ChannelStats, DtmfDigit, MixValue, PlaybackModeValue } from '../bridge.js';

export interface MediaChannel {
  readonly uuid: string;
  readonly sampleRate: number;
  /** Samples per frame per audio channel (the channel's ptime). */
  readonly frameSamples: number;
  /** 1, or 2 for stereo capture (interleaved caller/assistant). */
  readonly captureChannels: number;
  /** Ring sizes in samples (all audio channels), as the host made them. */
  readonly captureCapacity: number;
  readonly playbackCapacity: number;
  /** The hook is gone and the channel closed: every call is a no-op from now on. */
  readonly released: boolean;
  /** Queues samples for the caller; returns how many fit in the ring. */
  write(samples: Int16Array, length?: number): number;
  /** Samples queued in the playback ring, not yet played. */
  playbackQueued(): number;
  /** Free room in the playback ring, in samples. */
  playbackFree(): number;
  /** Samples the media thread has taken from the ring since the hook was attached (played or flushed). */
  playedPosition(): number;
  /** Samples written into the ring since the hook was attached. */
  writtenPosition(): number;
  /**
   * Milliseconds since the media thread last asked for a playback frame (whether it got one or
   * not), -1 before it first asked: the phase of the frame clock, so the next frame is taken about
   * one ptime after that (GPT-Live's jitter buffer is primed to it).
   */
  msSincePlaybackTick(): number;
  /** Drops all queued playback at once; returns the played position at the moment of the flush. */
  flush(): number;
  /** Tells the media thread what an empty ring is from now on: silence, an underrun or a server gap. */
  setPlaybackMode(mode: PlaybackModeValue): void;
  stats(): ChannelStats | undefined;
  /** Asks the host to remove the media hook; the handler's onClosed follows. */
  detach(): void;
}

/** What a session receives from its hook. Every call happens on the Node thread. */
export interface MediaHandler {
  /** Captured audio at the channel rate (interleaved when stereo). The buffer is reused: copy what you keep. */
  onCapture(samples: Int16Array, length: number): void;
  onDtmf(digit: DtmfDigit): void;
  /** Room in the playback ring: top it up. Called when the channel ticked, and at least every 10 ms. */
  onPlaybackRoom(): void;
  /** The hook is gone (hangup, or our own detach completed). The port is released after this. */
  onClosed(): void;
  /** The handler threw; the pump has detached the channel. */
  onFault(error: unknown): void;
}

export interface AttachOptions {
  uuid: string;
  bugName: string;
  mix: MixValue;
  captureRingMs: number;
  playbackRingMs: number;
}

/** Attaches media hooks (the MediaPump). Throws with the host's reason when the hook cannot attach. */
export interface MediaAttacher {
  attach(options: AttachOptions, handler: (channel: MediaChannel) => MediaHandler): unknown;
}
