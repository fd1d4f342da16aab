/**
 * The engine's two seams in memory, for the unit tests of its parts (no native addon, no socket):
 *
 * - {@link MemoryChannel}: a channel's media hook as the native bridge presents it — a playback
 *   ring of fixed capacity that the test's "media thread" ({@link MemoryChannel.tick}) drains one
 *   whole frame at a time, with the same position arithmetic as native/bridge (played position
 *   counts samples taken, flushed ones included; a flush returns what had been played before it).
 * - {@link MemoryTransport}: an open or closed socket that records what was sent.
 */
import { PlaybackMode, type ChannelStats, type PlaybackModeValue } from '../../src/bridge.js';
import type { MediaChannel } from '../../src/media/mediaChannel.js';
import type { EngineTransport } from '../../src/session/engineTransport.js';
import type { ConnectionState } from '../../src/session/realtimeConnection.js';
import type { Logger } from '../../src/runtime/logger.js';

export interface MemoryChannelOptions {
  sampleRate?: number;
  frameSamples?: number;
  captureChannels?: number;
  playbackCapacity?: number;
  captureCapacity?: number;
  /** The test's clock (ms): tick() records when the media thread last asked for a frame. */
  now?: () => number;
}

export class MemoryChannel implements MediaChannel {
  readonly uuid = 'memory-channel';
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly captureChannels: number;
  readonly captureCapacity: number;
  readonly playbackCapacity: number;
  released = false;
  detached = false;
  /** What is in the ring, oldest first. */
  #ring: number[] = [];
  #written = 0;
  #played = 0;
  /** Every sample the media thread played (what the caller heard). */
  readonly heard: number[] = [];
  readonly modes: PlaybackModeValue[] = [];
  /** Samples waiting in the capture ring (what stats() reports). */
  captureQueued = 0;
  readonly #now: (() => number) | undefined;
  #underruns = 0;
  #serverGaps = 0;
  #tickAt: number | null = null;

  constructor(options: MemoryChannelOptions = {}) {
    this.sampleRate = options.sampleRate ?? 8000;
    this.frameSamples = options.frameSamples ?? this.sampleRate / 50;
    this.captureChannels = options.captureChannels ?? 1;
    this.playbackCapacity = options.playbackCapacity ?? this.sampleRate;
    this.captureCapacity = options.captureCapacity ?? this.sampleRate * this.captureChannels;
    this.#now = options.now;
  }

  get mode(): PlaybackModeValue {
    return this.modes.at(-1) ?? PlaybackMode.idle;
  }

  write(samples: Int16Array, length = samples.length): number {
    if (this.released) return 0;
    const n = Math.min(length, this.playbackFree());
    for (let i = 0; i < n; i++) this.#ring.push(samples[i]!);
    this.#written += n;
    return n;
  }

  playbackQueued(): number {
    return this.released ? 0 : this.#ring.length;
  }

  playbackFree(): number {
    return this.released ? 0 : this.playbackCapacity - this.#ring.length;
  }

  playedPosition(): number {
    return this.released ? 0 : this.#played;
  }

  writtenPosition(): number {
    return this.released ? 0 : this.#written;
  }

  msSincePlaybackTick(): number {
    if (this.released || this.#tickAt === null || this.#now === undefined) return -1;
    return this.#now() - this.#tickAt;
  }

  flush(): number {
    if (this.released) return 0;
    const playedBefore = this.#played;
    this.#played = this.#written;
    this.#ring = [];
    return playedBefore;
  }

  setPlaybackMode(mode: PlaybackModeValue): void {
    if (!this.released) this.modes.push(mode);
  }

  stats(): ChannelStats | undefined {
    if (this.released) return undefined;
    return {
      framesIn: 0,
      captureOverruns: 0,
      framesOut: 0,
      underruns: this.#underruns,
      serverGaps: this.#serverGaps,
      samplesPlayed: this.#played,
      dtmfDropped: 0,
      captureQueued: this.captureQueued,
      playbackQueued: this.#ring.length,
      closed: false,
    };
  }

  detach(): void {
    this.detached = true;
  }

  /** The media thread: plays `frames` frames, each only when a whole frame is in the ring. Returns the samples played. */
  tick(frames = 1): number[] {
    const out: number[] = [];
    if (this.#now) this.#tickAt = this.#now();
    for (let f = 0; f < frames; f++) {
      if (this.#ring.length < this.frameSamples) {
        // As native/bridge counts a frame it found no audio for: by what an empty ring means now.
        if (this.mode === PlaybackMode.queued) this.#underruns++;
        else if (this.mode === PlaybackMode.awaitingServer) this.#serverGaps++;
        continue;
      }
      const frame = this.#ring.splice(0, this.frameSamples);
      this.#played += frame.length;
      out.push(...frame);
    }
    this.heard.push(...out);
    return out;
  }
}

export class MemoryTransport implements EngineTransport {
  state: ConnectionState = 'open';
  bufferedAmount = 0;
  reconnects = 0;
  pings = 0;
  pongs = 0;
  readonly texts: string[] = [];
  readonly binaries: Uint8Array[] = [];
  started = false;
  closed = false;

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** The JSON client events sent, parsed. */
  get events(): Array<Record<string, unknown>> {
    return this.texts.map((t) => JSON.parse(t) as Record<string, unknown>);
  }

  connectedSeconds(): number {
    return 0;
  }

  start(): void {
    this.started = true;
  }

  sendText(text: string): boolean {
    if (!this.isOpen) return false;
    this.texts.push(text);
    return true;
  }

  sendBinary(data: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.binaries.push(data);
    return true;
  }

  close(): Promise<void> {
    this.closed = true;
    this.state = 'closed';
    return Promise.resolve();
  }
}

/** A logger that keeps what was logged, by level. */
export interface RecordingLog extends Logger {
  readonly lines: Array<{ level: string; message: string }>;
  messages(level: string): string[];
}

export function recordingLog(): RecordingLog {
  const lines: Array<{ level: string; message: string }> = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
    };
  const logger: RecordingLog = {
    lines,
    messages: (level) => lines.filter((l) => l.level === level).map((l) => l.message),
    error: at('error'),
    warning: at('warning'),
    notice: at('notice'),
    info: at('info'),
    debug: at('debug'),
    forChannel: () => logger,
  };
  return logger;
}

/** PCM16 little-endian base64 of these samples (what a Realtime audio delta carries). */
export function pcmDelta(samples: ArrayLike<number>): string {
  const bytes = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i]!, 2 * i);
  return bytes.toString('base64');
}

/** 1, 2, 3, … n: audio whose every sample says where it came from. */
export function ramp(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => ((from + i) % 32000) + 1);
}
